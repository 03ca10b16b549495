/**
 * Lockstep conformance: protocol events from an implementation drive an XState actor; an event
 * the machine does not accept in its current state is a conformance violation naming both.
 *
 * XState returns the same snapshot object both for a refused event and for a taken transition
 * whose actions only mutate context, so acceptance is counted instead: `countingAcceptance` adds
 * an action to every transition of a machine config that bumps `context.accepted`. Model actions
 * mutate their context in place (the context is the model's own, never shared), which keeps a
 * send at a few microseconds.
 */
import { createActor, type AnyActorRef, type AnyStateMachine, type SnapshotFrom } from 'xstate';
import type { ProtocolEvent } from '../impl/sim/system.ts';
import { compileMachine, type CompiledMachine, type CompiledModel } from './compiled.ts';

export interface Refusal {
  readonly state: string;
  readonly event: ProtocolEvent;
}

/** Which interpreter drives the model: the compiled one when the machine allows, or XState's actor. */
export type Engine = 'auto' | 'xstate';

const compiledFactories = new WeakMap<AnyStateMachine, CompiledMachine | null>();

/** The compiled form of a machine (cached), or null outside the compiled subset. */
export function compiledFactory(machine: AnyStateMachine): CompiledMachine | null {
  let f = compiledFactories.get(machine);
  if (f === undefined) {
    f = compileMachine(machine);
    compiledFactories.set(machine, f);
  }
  return f;
}

export class Lockstep<M extends AnyStateMachine> {
  private readonly actor: AnyActorRef | null = null;
  private readonly compiled: CompiledModel | null = null;
  private snapshot: SnapshotFrom<M>;
  constructor(machine: M, private readonly trackCoverage = false, engine: Engine = 'auto') {
    const factory = engine === 'auto' ? compiledFactory(machine) : null;
    if (factory !== null) {
      this.compiled = factory.create(trackCoverage);
      this.snapshot = this.compiled as unknown as SnapshotFrom<M>;
    } else {
      this.actor = createActor(machine).start();
      this.snapshot = this.actor.getSnapshot() as SnapshotFrom<M>;
    }
  }

  /** Whether the compiled interpreter (not XState's actor) runs this model. */
  get isCompiled(): boolean {
    return this.compiled !== null;
  }

  /** States visited and transitions taken (tracked runs of a compiled model only). */
  get coverage(): { readonly states: ReadonlySet<string>; readonly transitions: ReadonlySet<string> } | null {
    if (this.compiled === null || !this.trackCoverage) return null;
    return { states: this.compiled.visitedStates, transitions: this.compiled.takenTransitions };
  }

  /** Send one event; returns the refusal, or null when the model accepted it. */
  send(event: ProtocolEvent): Refusal | null {
    if (this.compiled !== null) {
      if (!this.compiled.send(event)) return { state: stateName(this.snapshot), event };
    } else {
      const prior = this.snapshot;
      const count = (prior as unknown as { context: AcceptanceContext }).context.accepted;
      this.actor!.send(event);
      const after = this.actor!.getSnapshot() as SnapshotFrom<M>;
      if ((after as unknown as { context: AcceptanceContext }).context.accepted === count) return { state: stateName(prior), event };
      this.snapshot = after;
    }
    return null;
  }

  /** The model's state now: `value` and `context` (read-only to callers). */
  get state(): SnapshotFrom<M> {
    return this.snapshot;
  }

  stop(): void {
    this.actor?.stop();
  }
}

/** A readable name for a (possibly parallel) state value: "primary.accepting, secondary.scanning". */
export function stateName(snapshot: { value: unknown }): string {
  return flatten(snapshot.value).join(', ');
}

function flatten(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  const out: string[] = [];
  for (const [key, sub] of Object.entries(value as Record<string, unknown>)) out.push(...flatten(sub, `${prefix}${key}.`));
  return out;
}

/** Every model context carries the number of events it accepted. */
export interface AcceptanceContext {
  accepted: number;
}

const countAcceptance = ({ context }: { context: AcceptanceContext }): void => {
  context.accepted++;
};

type TransitionConfig = string | { actions?: unknown } | undefined;

function counted(t: TransitionConfig): object {
  if (t === undefined || typeof t === 'string') return { target: t, actions: [countAcceptance] };
  const actions = t.actions === undefined ? [] : Array.isArray(t.actions) ? t.actions : [t.actions];
  return { ...t, actions: [...actions, countAcceptance] };
}

/**
 * The same machine config with an acceptance-counting action on every event transition, so a
 * model author cannot forget one. Walks `on` maps of every state node.
 */
export function countingAcceptance<T>(config: T): T {
  const node = config as { on?: Record<string, TransitionConfig | TransitionConfig[]>; states?: Record<string, unknown> };
  const out: Record<string, unknown> = { ...node };
  if (node.on !== undefined) {
    out['on'] = Object.fromEntries(Object.entries(node.on).map(([event, t]) =>
      [event, Array.isArray(t) ? t.map(counted) : counted(t)]));
  }
  if (node.states !== undefined) {
    out['states'] = Object.fromEntries(Object.entries(node.states).map(([name, sub]) => [name, countingAcceptance(sub)]));
  }
  return out as T;
}
