/**
 * A compiled interpreter for the subset of XState v5 the protocol models use: a root that is
 * either a compound state of atomic states or a parallel state of such regions; `on` maps on
 * atomic states and on regions; transitions with a named guard, actions (named or inline) and a
 * sibling target. No entry/exit/always/after/invoke, no nested compounds, no guard params.
 *
 * Semantics follow XState's: in each region the first enabled transition is chosen from the atomic
 * state, then from the region; every region's choice is made before any action runs; actions run
 * in region (document) order. `compileMachine` returns null for a machine outside the subset, and
 * the lockstep runner then drives the real XState actor. test/compiled-model.test.ts checks the
 * two agree event by event on real runs.
 */
import type { AnyStateMachine } from 'xstate';

type Args = { context: unknown; event: { type: string } };
type Guard = (args: Args, params: undefined) => boolean;
type Action = (args: Args, params: undefined) => void;

interface Transition {
  /** Stable name for coverage: "region.source --event[guard]--> target" (source * = any state). */
  readonly id: string;
  readonly guard: Guard | null;
  readonly actions: readonly Action[];
  /** Index of the target state in its region, or -1 for a targetless transition. */
  readonly target: number;
}

interface Region {
  readonly name: string | null;
  readonly states: readonly string[];
  readonly initial: number;
  readonly stateOn: readonly ReadonlyMap<string, readonly Transition[]>[];
  readonly regionOn: ReadonlyMap<string, readonly Transition[]>;
}

interface NodeConfig {
  type?: string;
  initial?: string;
  states?: Record<string, NodeConfig>;
  on?: Record<string, unknown>;
  [key: string]: unknown;
}

const ALLOWED_KEYS = new Set(['id', 'type', 'initial', 'states', 'on', 'context', 'description', 'schemas']);

class Unsupported extends Error {}

function checkKeys(node: NodeConfig): void {
  for (const key of Object.keys(node)) if (!ALLOWED_KEYS.has(key)) throw new Unsupported(key);
}

function compileOn(on: Record<string, unknown> | undefined, states: readonly string[], impl: AnyStateMachine['implementations'],
  prefix: string, source: string): Map<string, Transition[]> {
  const out = new Map<string, Transition[]>();
  for (const [event, raw] of Object.entries(on ?? {})) {
    const list = Array.isArray(raw) ? raw : [raw];
    out.set(event, list.map((t): Transition => {
      const config = (typeof t === 'string' ? { target: t } : t) as { guard?: unknown; actions?: unknown; target?: unknown; [k: string]: unknown };
      for (const key of Object.keys(config)) if (!['guard', 'actions', 'target', 'description'].includes(key)) throw new Unsupported(key);
      let guard: Guard | null = null;
      if (config.guard !== undefined) {
        if (typeof config.guard !== 'string') throw new Unsupported('guard');
        const g = impl.guards[config.guard];
        if (typeof g !== 'function') throw new Unsupported(`guard ${config.guard}`);
        guard = g as Guard;
      }
      const rawActions = config.actions === undefined ? [] : Array.isArray(config.actions) ? config.actions : [config.actions];
      const actions = rawActions.map((a: unknown): Action => {
        const f = typeof a === 'string' ? impl.actions[a] : a;
        if (typeof f !== 'function' || (f as { type?: unknown }).type !== undefined) throw new Unsupported(`action ${String(a)}`);
        return f as Action;
      });
      let target = -1;
      if (config.target !== undefined) {
        if (typeof config.target !== 'string') throw new Unsupported('target');
        target = states.indexOf(config.target);
        if (target < 0) throw new Unsupported(`target ${config.target}`);
      }
      const label = `${event}${typeof config.guard === 'string' ? `[${config.guard}]` : ''}`;
      return { id: `${prefix}${source} --${label}--> ${target < 0 ? source : states[target]}`, guard, actions, target };
    }));
  }
  return out;
}

function compileRegion(name: string | null, node: NodeConfig, impl: AnyStateMachine['implementations']): Region {
  const states = Object.keys(node.states ?? {});
  if (states.length === 0 || node.initial === undefined) throw new Unsupported('region without states');
  const prefix = name === null ? '' : `${name}.`;
  const stateOn = states.map((s) => {
    const child = node.states![s]!;
    checkKeys(child);
    if (child.states !== undefined || child.type !== undefined) throw new Unsupported('nested state');
    return compileOn(child.on, states, impl, prefix, s);
  });
  return { name, states, initial: states.indexOf(node.initial), stateOn, regionOn: compileOn(node.on, states, impl, prefix, '*') };
}

/** Every state and transition of a compiled machine, by the names coverage uses. */
export interface ModelShape {
  readonly states: readonly string[];
  readonly transitions: readonly string[];
}

function stateId(region: Region, state: string): string {
  return region.name === null ? state : `${region.name}.${state}`;
}

export function shapeOf(regions: readonly Region[]): ModelShape {
  const states: string[] = [];
  const transitions: string[] = [];
  for (const r of regions) {
    for (const s of r.states) states.push(stateId(r, s));
    for (const on of [...r.stateOn, r.regionOn]) for (const list of on.values()) for (const t of list) transitions.push(t.id);
  }
  return { states, transitions };
}

/** A running compiled model: `send` says whether the event was accepted. */
export class CompiledModel {
  readonly value: Record<string, string> | string;
  /** States entered and transitions taken, when coverage is tracked. */
  readonly visitedStates = new Set<string>();
  readonly takenTransitions = new Set<string>();
  private readonly current: number[];
  private readonly chosen: (Transition | null)[];

  constructor(private readonly regions: readonly Region[], readonly context: unknown, private readonly track = false) {
    this.current = regions.map((r) => r.initial);
    this.chosen = regions.map(() => null);
    if (track) for (const r of regions) this.visitedStates.add(stateId(r, r.states[r.initial]!));
    this.value = regions[0]!.name === null ? regions[0]!.states[regions[0]!.initial]! : Object.fromEntries(regions.map((r) => [r.name!, r.states[r.initial]!]));
  }

  send(event: { type: string }): boolean {
    const args: Args = { context: this.context, event };
    let any = false;
    for (let r = 0; r < this.regions.length; r++) {
      const region = this.regions[r]!;
      const t = pick(region.stateOn[this.current[r]!]!.get(event.type), args) ?? pick(region.regionOn.get(event.type), args);
      this.chosen[r] = t;
      if (t !== null) any = true;
    }
    if (!any) return false;
    for (let r = 0; r < this.regions.length; r++) {
      const t = this.chosen[r];
      if (t === null || t === undefined) continue;
      for (const a of t.actions) a(args, undefined);
      if (t.target >= 0) this.moveTo(r, t.target);
      if (this.track) {
        this.takenTransitions.add(t.id);
        if (t.target >= 0) this.visitedStates.add(stateId(this.regions[r]!, this.regions[r]!.states[t.target]!));
      }
    }
    return true;
  }

  private moveTo(r: number, target: number): void {
    this.current[r] = target;
    const region = this.regions[r]!;
    if (region.name === null) (this as { value: unknown }).value = region.states[target]!;
    else (this.value as Record<string, string>)[region.name] = region.states[target]!;
  }
}

function pick(list: readonly Transition[] | undefined, args: Args): Transition | null {
  if (list === undefined) return null;
  for (const t of list) if (t.guard === null || t.guard(args, undefined)) return t;
  return null;
}

export interface CompiledMachine {
  readonly shape: ModelShape;
  create(trackCoverage: boolean): CompiledModel;
}

/** A factory of compiled runs of `machine`, or null when it is outside the supported subset. */
export function compileMachine(machine: AnyStateMachine): CompiledMachine | null {
  try {
    const root = machine.config as NodeConfig;
    checkKeys(root);
    const impl = machine.implementations;
    let regions: Region[];
    if (root.type === 'parallel') {
      if (root.on !== undefined) throw new Unsupported('root on');
      regions = Object.entries(root.states ?? {}).map(([name, node]) => {
        checkKeys(node);
        return compileRegion(name, node, impl);
      });
    } else if (root.type === undefined) {
      regions = [compileRegion(null, root, impl)];
    } else {
      throw new Unsupported(`type ${root.type}`);
    }
    const makeContext = root.context;
    const context = () => (typeof makeContext === 'function' ? (makeContext as (a: object) => unknown)({ input: undefined }) : structuredClone(makeContext));
    return { shape: shapeOf(regions), create: (track) => new CompiledModel(regions, context(), track) };
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}
