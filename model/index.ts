// The pure cluster model: spec (zke and RKE formats), versions, plan and diff. No I/O; workflows import it.
export * from './diff.ts';
export * from './plan/index.ts';
export * from './spec/index.ts';
export * from './versions.ts';
