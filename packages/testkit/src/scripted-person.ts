/** An event a login emits (structurally `InteractionEvent` of @auth/core, which this package does not depend on). */
export interface PersonEvent {
  event: string;
  [key: string]: unknown;
}

/** A scripted person for in-process logins: an `Interaction` of @auth/core, and every event it saw. */
export interface ScriptedPerson {
  events: PersonEvent[];
  interaction: {
    print(message: string): void;
    progress(message: string): void;
    prompt(question: string): Promise<string>;
    promptSecret(question: string): Promise<string>;
    openUrl(url: string): Promise<boolean>;
    emit(event: PersonEvent): void;
  };
}

/**
 * A person who answers nothing and opens no browser, and acts on each device
 * code as soon as it is shown: approves it at a double, denies it, lets it expire.
 */
export function devicePerson(onDeviceCode: (userCode: string, event: PersonEvent) => void): ScriptedPerson {
  const events: PersonEvent[] = [];
  return {
    events,
    interaction: {
      print: () => {},
      progress: () => {},
      prompt: async () => '',
      promptSecret: async () => '',
      openUrl: async () => false,
      emit(event) {
        events.push(event);
        if (event.event === 'device_code') onDeviceCode(String(event.user_code), event);
      },
    },
  };
}
