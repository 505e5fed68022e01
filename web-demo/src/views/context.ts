/** What every view of the signed-in app receives: the state, and the way to report events. */
import type { Event, State } from '../state';

export interface ViewContext {
  readonly state: State;
  readonly dispatch: (event: Event) => void;
  /** The ClientRequestToken of a new send or channel (random; the reducer stays pure). */
  readonly newToken: () => string;
  readonly now: () => number;
  /** Config facts the views need. */
  readonly principalTagKey: string;
  readonly vendingAvailable: boolean;
  readonly signOut: () => void;
}

/** Runs `action` for a form's submit event without reloading the page. */
export function onSubmit(
  action: (form: HTMLFormElement) => void,
): (e: Event | SubmitEvent) => void {
  return (e) => {
    (e as SubmitEvent).preventDefault();
    action((e as SubmitEvent).target as HTMLFormElement);
  };
}

export function inputValue(e: globalThis.Event): string {
  return (e.target as HTMLInputElement | HTMLTextAreaElement).value;
}
