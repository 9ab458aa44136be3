// A small fixed-weight logistic model: enough to make the features matter.
import type { Features } from './featureStore';

export type Decision = 'approve' | 'review' | 'decline';

export const MODEL_VERSION = 'logistic-v1';

export function score(amount: number, f: Features): { probability: number; decision: Decision } {
  const z =
    -2.5 +
    0.4 * Math.min(f.transaction_velocity, 20) -
    0.004 * Math.min(f.account_age_days, 730) -
    0.02 * Math.min(f.transaction_count, 100) +
    1.2 * Math.log1p(amount / (Math.max(f.avg_amount, 0) + 1)) +
    0.9 * Math.min(f.chargeback_count, 5);
  const probability = 1 / (1 + Math.exp(-z));
  const decision: Decision = probability < 0.3 ? 'approve' : probability < 0.7 ? 'review' : 'decline';
  return { probability: Math.round(probability * 10000) / 10000, decision };
}
