# Sourced by the scripts that build or start the example stack. Where a proxy intercepts
# TLS to the npm registry, the host trusts extra CAs in /usr/local/share/ca-certificates;
# the image builds (`npm ci` inside them) get the same ones through a build argument. The
# value must be identical for every build of a run, or the cached layers would not match.
# Unset on GitHub runners, where nothing changes.
if [ -z "${EXTRA_CA_CERTS_PEM:-}" ] && compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  EXTRA_CA_CERTS_PEM=$(cat /usr/local/share/ca-certificates/*.crt)
  export EXTRA_CA_CERTS_PEM
fi
