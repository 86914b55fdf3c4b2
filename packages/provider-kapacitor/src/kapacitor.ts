import { defineProvider, type Provider } from '@auth/core';
import { z } from 'zod';
import { createKapacitorGateway, noDirectory, type OpenDirectory } from './server/gateway.js';

export interface KapacitorProviderOptions {
  /** The `provider = "..."` id (default `kapacitor`). */
  id?: string;
  name?: string;
  /** Opens the user directory of a gateway route (see `DirectorySettings`). */
  openDirectory?: OpenDirectory;
}

/** Stand-in for the profile options, which the client side defines. */
const kapacitorOptions = z.looseObject({});

export type KapacitorSettings = z.infer<typeof kapacitorOptions>;

/** Kapacitor: Kapacitor-compatible authentication and authorization for auth-server's gateway. */
export function createKapacitor(options: KapacitorProviderOptions = {}): Provider<KapacitorSettings> {
  const id = options.id ?? 'kapacitor';
  return defineProvider<KapacitorSettings>({
    specificationVersion: 'v1',
    id,
    name: options.name ?? 'Kapacitor',
    options: kapacitorOptions,
    gateway: createKapacitorGateway({ providerId: id, openDirectory: options.openDirectory ?? noDirectory }),
  });
}

export const kapacitor = createKapacitor();
