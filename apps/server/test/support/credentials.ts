/** Known dev credentials, so tests can sign in and look for them in logs. */
export const DEMO_PASSWORD = 'correct-horse-battery-staple-42';
export const SERVICE_SECRET = 'demo-service-secret-0123456789abcdef';
