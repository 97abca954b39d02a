// Every activity the worker registers. Workflows import this module's *type* only.
import { checkHost } from './hostsCheck.ts';

export const activities = {
  checkHost,
};

export type Activities = typeof activities;
