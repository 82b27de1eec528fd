/**
 * Adam's constants for the SRM/CFM optimisation, shared by every optimiser implementation so they
 * run the same arithmetic: tfjs's `tf.train.adam` defaults (PyTorch's betas; its epsilon is the
 * float32 backends' `epsilon()`, 1e-7, where PyTorch uses 1e-8).
 */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
