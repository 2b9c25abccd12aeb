/**
 * The original CCViT/BEiT optimisation rules on DJL arrays: AdamW with per-parameter weight-decay
 * and learning-rate scales, clipping by global norm, the cosine schedules and the fine-tuning layer
 * decay.
 */
package org.ccvit.trainer.optim;
