import type { DevMode } from './dev-mode.js';
import { CODE_PAGE_PATH } from '../http/routes.js';
import { DEV_CLI_CLIENT, DEV_MACHINE, DEV_SERVICE_CLIENT, DEV_USER } from './dev-mode.js';

/** What `auth-server --dev` tells a newcomer on stderr: the credentials and the authctl lines to try. */
export function devBanner(dev: DevMode, issuer: string, metricsUrl?: string): string {
  const { generated, sources } = dev;
  const credentialLine = (what: string, name: string, source: string, value: string | undefined, env: string) =>
    source === 'generated'
      ? `  ${what.padEnd(16)}${name} / ${value}   (generated; shown only now, set ${env} to choose your own)`
      : source === 'env'
        ? `  ${what.padEnd(16)}${name} / (from ${env})`
        : `  ${what.padEnd(16)}${name} / (unchanged: shown when the data dir was created; set ${env} to replace it)`;
  return [
    '',
    `auth-server dev mode: issuer ${issuer}`,
    `  config and keys in ${dev.config.data_dir} (reused on restart; delete the folder to start over)`,
    credentialLine('user', DEV_USER, sources.password, generated.password, 'AUTH_SERVER_DEV_PASSWORD'),
    credentialLine('service account', DEV_SERVICE_CLIENT, sources.clientSecret, generated.clientSecret, 'AUTH_SERVER_DEV_CLIENT_SECRET'),
    `  public client   ${DEV_CLI_CLIENT} (browser, code, device, refresh)`,
    credentialLine('machine', DEV_MACHINE, sources.machineSecret, generated.machineSecret, 'AUTH_SERVER_DEV_MACHINE_SECRET'),
    ...(metricsUrl ? [`  ${'metrics'.padEnd(16)}${metricsUrl}`] : []),
    '',
    'Try it with authctl:',
    `  authctl configure --profile dev --provider oidc --set issuer=${issuer} --client-id ${DEV_CLI_CLIENT} --set code_redirect_uri=${issuer}${CODE_PAGE_PATH} --default`,
    '  authctl login --flow browser     # sign in as demo in your browser',
    '  authctl login --flow code        # no local browser: paste the code the sign-in page shows',
    `  authctl login --flow device      # enter the code at ${issuer}/device`,
    '  authctl print-token',
    '',
    'As the service account (client credentials):',
    `  authctl configure --profile dev-service --provider oidc --set issuer=${issuer} --service-account-id ${DEV_SERVICE_CLIENT} --client-secret-stdin`,
    `      (asks for the ${DEV_SERVICE_CLIENT} secret with hidden input; or pipe it in as one line)`,
    '  authctl login --profile dev-service --serviceaccount',
    '  authctl print-token --profile dev-service',
    '',
    `As the machine identity (universal auth; Infisical-compatible login API at ${issuer}/api/v1/auth):`,
    `  authctl login --method universal-auth --domain ${issuer} --client-id ${DEV_MACHINE}`,
    `      (reads the ${DEV_MACHINE} client secret from INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET)`,
    '',
  ].join('\n');
}
