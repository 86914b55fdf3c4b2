import { z } from 'zod';

/**
 * The profile keys this provider adds to the common ones (client_id, flow,
 * scopes, ...): `authctl configure` asks for each, by its description.
 */
export const exampleOptions = z.object({
  issuer: z.url({ error: 'must be a URL' }).describe('Issuer URL'),
});

export type ExampleSettings = z.infer<typeof exampleOptions>;
