// Placeholder: implemented by the stores/config work (see HOT PATH in the helper brief).
export {};
