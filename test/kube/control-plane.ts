// The real control plane moved to src/bench (the upstream benchmark runs it too); tests keep this path.
export * from '../../src/bench/control-plane.js';
