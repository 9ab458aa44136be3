// What a fault needs to act: the run's project, journal and log (FaultScope, all that the
// shared life cycle needs), the privileges found, the shared routes and where cgroups are.
// One per run, made by createFaultContext (index.ts).
import type { FaultScope } from './fault-handle';
import type { RouteRegistry } from './network/route';
import type { Privileges } from './privileges';
import type { CgroupHost } from './resources/cgroups';

export interface FaultContext extends FaultScope {
  privileges: Privileges;
  /**
   * Proxied routes installed for the scenario (see installMonitor): network toxics on the
   * same service and port stack on the route already in place instead of adding a second one.
   */
  routes: RouteRegistry;
  /**
   * Where memory and CPU faults find cgroups: the host's /proc and cgroupfs unless a test
   * points them at a scratch directory laid out like a host (see resources/cgroups.ts).
   */
  cgroupHost?: CgroupHost;
}
