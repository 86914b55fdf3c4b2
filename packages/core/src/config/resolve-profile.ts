// Placeholder until implemented.
export {};
