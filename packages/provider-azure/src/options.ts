import { z } from 'zod';

/** What a managed identity asks a token for unless the profile names another resource: Azure Resource Manager. */
export const DEFAULT_RESOURCE = 'https://management.azure.com/';
/** The Azure Instance Metadata Service, link-local on every Azure VM. */
export const DEFAULT_IMDS_ENDPOINT = 'http://169.254.169.254';

/**
 * Profile keys of an `azure` profile. Platform variables (IDENTITY_ENDPOINT,
 * AZURE_FEDERATED_TOKEN_FILE, …) come from the environment at login, not from here.
 */
export const azureOptions = z.object({
  /** The resource the token is for; it must be the `resource` the machine identity is bound to on the server. */
  resource: z.string().min(1).optional(),
  /** A user-assigned managed identity's client id (default AZURE_CLIENT_ID; none: the system-assigned identity). */
  managed_identity_client_id: z.string().min(1).optional(),
  /** Where IMDS answers (default http://169.254.169.254); tests point it at a double. */
  imds_endpoint: z.url({ error: 'must be an absolute http(s) URL' }).optional(),
});

export type AzureSettings = z.infer<typeof azureOptions>;
