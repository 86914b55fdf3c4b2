export type { DirectoryUser, UserDirectory } from './user-directory.js';
