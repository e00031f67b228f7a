// What a GPU-hour costs by default: on-demand list prices of specialty GPU clouds, the middle of the ranges in
// mercatus-ai.com/blog/cloud-gpu-pricing (May 2026: A100 80GB $1.10–1.50, H100 SXM5 $2.50–3.50, H200 SXM5
// $3.50–4.50). Hyperscalers charge 1.5–2× more; give your own with --price GPU=USD.
export const DEFAULT_PRICES_PER_GPU_HOUR: Readonly<Record<string, number>> = {
  'A100-SXM-80GB': 1.3,
  'H100-SXM-80GB': 3.0,
  'H200-SXM-141GB': 4.0,
};

export const PRICE_SOURCE =
  'mercatus-ai.com/blog/cloud-gpu-pricing, May 2026: middle of the specialty-cloud on-demand ranges';
