import type { Interaction, InteractionEvent } from '../../../src/contracts/v1/interaction.js';

/** One thing a flow did towards the person, in order. */
export type Step =
  | { kind: 'print'; message: string }
  | { kind: 'emit'; event: InteractionEvent }
  | { kind: 'open'; url: string }
  | { kind: 'prompt'; question: string }
  | { kind: 'progress'; message: string };

export interface Person {
  /** Answers `prompt`; the default refuses to answer. */
  answer?(question: string, steps: readonly Step[]): Promise<string>;
  /** Handles `openUrl`; the default reports that no browser opened. */
  open?(url: string): boolean;
}

/** An Interaction that records every step and plays `person`. */
export function recordingInteraction(person: Person = {}): { interaction: Interaction; steps: Step[] } {
  const steps: Step[] = [];
  const interaction: Interaction = {
    print: (message) => void steps.push({ kind: 'print', message }),
    progress: (message) => void steps.push({ kind: 'progress', message }),
    emit: (event) => void steps.push({ kind: 'emit', event }),
    async openUrl(url) {
      steps.push({ kind: 'open', url });
      return person.open?.(url) ?? false;
    },
    async prompt(question) {
      steps.push({ kind: 'prompt', question });
      if (person.answer === undefined) throw new Error(`unexpected prompt: ${question}`);
      return person.answer(question, steps);
    },
    async promptSecret(question) {
      throw new Error(`unexpected secret prompt: ${question}`);
    },
  };
  return { interaction, steps };
}

export function emitted<E extends InteractionEvent['event']>(steps: readonly Step[], name: E): Array<Extract<InteractionEvent, { event: E }>> {
  return steps.flatMap((step) =>
    step.kind === 'emit' && step.event.event === name ? [step.event as Extract<InteractionEvent, { event: E }>] : [],
  );
}
