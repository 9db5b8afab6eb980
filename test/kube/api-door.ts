// The API door moved to src/bench (the upstream benchmark opens it too); tests keep this path.
export * from '../../src/bench/api-door.js';
