import { Initial1764403200000 } from "./1764403200000-Initial";

/** Every migration, oldest first. Listed explicitly so that ts and compiled js load the same set. */
export const MIGRATIONS = [Initial1764403200000];
