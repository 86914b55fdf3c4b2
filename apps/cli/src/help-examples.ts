/** Two or three examples for each command's help, by command path. */
export const HELP_EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  configure: [
    'authctl configure --profile dev',
    'authctl configure --profile dev --provider oidc --set issuer=https://idp.example.com --client-id my-cli --default',
  ],
  login: ['authctl login --profile dev', 'authctl login --flow device --no-browser', 'authctl login --serviceaccount --client-secret-stdin < secret.txt', 'authctl login --method universal-auth --domain https://auth.example.com --client-id ID --client-secret-stdin --plain --silent < secret.txt'],
  'print-token': ['authctl print-token --profile dev', 'curl -H "$(authctl print-token --header)" https://api.example.com/'],
  status: ['authctl status', 'authctl status --profile prod', 'authctl status --json | jq -r .expires_at'],
  logout: ['authctl logout', 'authctl logout --profile prod --json'],
  user: ['authctl user list', 'authctl user switch alice', 'authctl user remove bob --profile dev'],
  profile: ['authctl profile list', 'authctl profile use prod', 'authctl profile import --from kxi --dry-run'],
  store: ['authctl store show', 'authctl store use file'],
  plugins: ['authctl plugins list', 'AUTHCTL_PLUGIN_PATH=./my-plugins authctl plugins list --json'],
};
