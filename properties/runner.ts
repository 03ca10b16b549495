/**
 * The lockstep runner, shared by every protocol. Each command moves the implementation; the
 * protocol events it emits drive the model; then the conformance mapping, the implementation's
 * invariants (its exceptions) and the consistency oracle are checked. `finish` stops the faults,
 * heals and restarts everything and drives the world to quiescence: the liveness check.
 */
import { InvariantViolation } from '../impl/sim/invariant.ts';
import type { ProtocolEvent, ReplicationSystem } from '../impl/sim/system.ts';
import type { World } from '../impl/sim/world.ts';
import { Lockstep, type Engine, type Refusal } from '../models/lockstep.ts';
import { imageText, writeData, writeIdOf } from './appdata.ts';
import type { Command } from './commands.ts';
import { ConsistencyOracle } from './oracle.ts';
import type { ProtocolSpec } from './protocol.ts';
import { driveToQuiescence } from './liveness.ts';
import { describeCommand, eventText, markOf, Timeline } from './timeline.ts';
import { ANOMALY, Violation, type PropertyName } from './violation.ts';

export interface RunOptions {
  /** Keep a readable timeline (slower): for counterexamples and replay. */
  readonly trace?: boolean;
  /** Record the model transitions taken, for coverage. */
  readonly coverage?: boolean;
  /** Run the implementation alone: no model, no oracle, no checks (a baseline for benchmarks). */
  readonly bare?: boolean;
  /** Which interpreter runs the model (default: compiled when the machine allows). */
  readonly engine?: Engine;
  /** Sees every protocol event, before the model does. */
  readonly onEvent?: (event: ProtocolEvent) => void;
}

export class LockstepRun {
  readonly system: ReplicationSystem;
  readonly oracle: ConsistencyOracle;
  readonly lockstep: Lockstep<ProtocolSpec['machine']>;
  readonly timeline: Timeline | null;
  readonly faults: Record<string, number> = {};
  readonly situations = new Set<string>();
  steps = 0;
  private readonly world: World;
  private readonly nodes: readonly string[];
  private readonly links: readonly string[];
  private refusal: Refusal | null = null;
  private problem: string | null = null;
  private stamp = Number.NaN;
  private floorSeen = -1;
  private nextWriteId = 1;
  /** Writes issued and not yet acknowledged. Every id below nextWriteId was issued. */
  private readonly issued = new Set<number>();
  private readonly bare: boolean;
  private readonly everyWrite: boolean;
  private readonly onEvent: ((event: ProtocolEvent) => void) | null;
  /** Reused buffers for the conformance mapping (no allocation per step). */
  private readonly implState: number[];
  private readonly modelState: number[];

  constructor(readonly spec: ProtocolSpec, readonly mutant: string | null, options: RunOptions = {}) {
    this.bare = options.bare ?? false;
    this.everyWrite = spec.boundaries === 'every-write';
    this.timeline = options.trace ? new Timeline(spec.geometry.blocksPerVolume) : null;
    this.oracle = new ConsistencyOracle(spec.geometry);
    this.lockstep = new Lockstep(spec.machine, options.coverage ?? false, options.engine ?? 'auto');
    this.onEvent = options.onEvent ?? null;
    this.implState = spec.abstractKeys.map(() => 0);
    this.modelState = spec.abstractKeys.map(() => 0);
    this.system = spec.create(
      {
        acknowledged: (w) => this.acknowledged(w.data, w),
        pointTaken: (p) => { if (!this.bare && !this.oracle.pointTaken(p)) this.problem ??= `point ${p} announced twice`; },
        pointCommitted: (p) => { if (!this.bare && !this.oracle.pointCommitted(p)) this.problem ??= `point ${p} acknowledged but never taken`; },
      },
      (e) => this.emit(e),
      mutant,
    );
    this.world = this.system.world;
    this.nodes = this.system.stepNodes;
    this.links = [...this.world.links.keys()];
  }

  private acknowledged(data: Uint8Array, w: { volume: number; block: number }): void {
    if (this.bare) return;
    const id = writeIdOf(data);
    if (!this.issued.has(id)) {
      // Recovery may acknowledge a logged write again: it was issued and already counted.
      if (id >= 1 && id < this.nextWriteId) return;
      this.problem ??= `acknowledged a write never issued (w${id} on v${w.volume} block ${w.block})`;
      return;
    }
    this.issued.delete(id);
    this.oracle.acknowledge({ volume: w.volume, block: w.block, data });
    if (this.everyWrite) this.oracle.boundaryNow();
  }

  private emit(event: ProtocolEvent): void {
    if (this.bare) return;
    this.onEvent?.(event);
    const s = this.spec.situation(event, this.lockstep.state);
    if (s !== null) this.situations.add(s);
    const refused = this.lockstep.send(event);
    if (refused !== null) this.refusal ??= refused;
    this.timeline?.event(event);
  }

  /** Run one command and check every property; throws a Violation. */
  apply(command: Command): boolean {
    const index = this.steps++;
    if (this.timeline !== null) {
      this.timeline.begin(index, this.describe(command));
      this.timeline.mark(markOf(command, this.world, (i) => this.nodes[i % this.nodes.length]!, (i) => this.link(i)));
    }
    let effect: boolean;
    try {
      effect = this.execute(command);
    } catch (e) {
      if (e instanceof Violation) throw e;
      this.fail('always-invariant', index, e instanceof Error ? e.message : String(e), undefined, undefined,
        e instanceof InvariantViolation ? e.anomaly : undefined);
    }
    if (!effect) this.timeline?.noEffect();
    this.timeline?.notes(this.world.drainNotes());
    if (this.timeline === null) this.world.drainNotes();
    if (!this.bare) this.checkStep(index);
    return effect;
  }

  private checkStep(index: number): void {
    if (this.problem !== null) this.fail('always-invariant', index, this.problem);
    if (this.refusal !== null) {
      const { state, event } = this.refusal;
      this.fail('always-conformant', index, `model in state {${state}} refused ${eventText(event)}`, undefined, undefined,
        this.spec.anomalies?.refused?.[event.type]);
    }
    const impl = this.implState;
    const model = this.modelState;
    this.system.abstractState(impl);
    this.spec.modelState(this.lockstep.state, model);
    for (let i = 0; i < impl.length; i++) {
      // NaN: not defined in the implementation right now (its node is down).
      if (impl[i] !== model[i] && !Number.isNaN(impl[i])) {
        const key = this.spec.abstractKeys[i]!;
        this.fail('always-conformant', index, `implementation has ${key}=${impl[i]}, model has ${key}=${model[i]}`, undefined, undefined,
          this.spec.anomalies?.state?.[key]);
      }
    }
    const stamp = this.system.failoverStamp();
    if (stamp === this.stamp && this.oracle.durableFloor === this.floorSeen) return;
    this.stamp = stamp;
    this.floorSeen = this.oracle.durableFloor;
    let image;
    try {
      image = this.system.failoverImage();
    } catch (e) {
      this.fail('always-invariant', index, `secondary recovery failed: ${e instanceof Error ? e.message : String(e)}`, undefined, undefined,
        e instanceof InvariantViolation ? e.anomaly : 'unrecoverable secondary');
    }
    const verdict = this.oracle.check(image);
    if (verdict.ok) return;
    const g = this.spec.geometry.blocksPerVolume;
    const where = verdict.k < 0 ? 'matches no consistency point' : `equals P_${verdict.k}`;
    this.fail(verdict.property, index,
      `failover image ${where}; legal: P_k for a boundary k >= ${verdict.expectedK} (durable floor ${this.oracle.durableFloor})`,
      `P_${verdict.expectedK} = ${imageText(verdict.expected, g)}`, imageText(image, g));
  }

  /** Record the violation in the timeline and throw it. */
  fail(property: PropertyName, step: number, message: string, expected?: string, actual?: string, anomaly?: string): never {
    const data = { property, anomaly: anomaly ?? ANOMALY[property], message, step, expected, actual };
    this.timeline?.violation(data);
    throw new Violation(data);
  }

  private count(kind: string): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
  }

  private execute(c: Command): boolean {
    const world = this.world;
    const now = world.now_tick;
    switch (c.kind) {
      case 'write': {
        const g = this.spec.geometry;
        const volume = c.volume % g.volumes;
        const block = c.block % g.blocksPerVolume;
        const id = this.nextWriteId;
        this.issued.add(id);
        const ok = this.system.write(c.host % this.system.hosts, { volume, block, data: writeData(id, volume, block, g.blockSize_bytes) });
        if (ok) this.nextWriteId++;
        else this.issued.delete(id);
        return ok;
      }
      case 'point':
        return this.system.requestPoint();
      case 'step':
        return this.system.step(this.nodes[c.node % this.nodes.length]!);
      case 'tick':
        world.advance(c.ticks);
        return true;
      case 'deliver':
        return world.deliver(this.link(c.link), c.pick);
      case 'drop':
        return this.fault(c.kind, world.mustLink(this.link(c.link)).drop(c.pick) !== undefined);
      case 'duplicate':
        return this.fault(c.kind, world.mustLink(this.link(c.link)).duplicate(c.pick, now) !== undefined);
      case 'delay':
        return this.fault(c.kind, world.mustLink(this.link(c.link)).delay(c.pick, c.ticks, now) !== undefined);
      case 'partition':
      case 'heal': {
        const link = world.mustLink(this.link(c.link));
        const want = c.kind === 'partition';
        if (link.partitioned === want) return false;
        link.partitioned = want;
        if (!want) this.situations.add('partition-healed');
        return this.fault(c.kind, true);
      }
      case 'crash': {
        const ok = world.crash(this.nodes[c.node % this.nodes.length]!, c.outcome);
        if (ok && c.outcome !== 0) this.count('cache-tear');
        return this.fault('crash', ok);
      }
      case 'restart':
        return this.fault('restart', world.restart(this.nodes[c.node % this.nodes.length]!));
      case 'protocol-fault': {
        const faults = this.spec.protocolFaults ?? [];
        if (faults.length === 0) return false;
        const f = faults[c.fault % faults.length]!;
        return this.fault(f.name, f.inject(this.system, c.target, c.pick));
      }
      default: {
        const disks = this.spec.faultDisks;
        if (disks.length === 0) return false;
        world.mustDisk(disks[c.disk % disks.length]!).arm({ kind: c.kind, pick: c.pick });
        return this.fault(c.kind, true);
      }
    }
  }

  private fault(kind: string, took: boolean): boolean {
    if (took) this.count(kind);
    return took;
  }

  private link(index: number): string {
    return this.links[index % this.links.length]!;
  }

  /** Resolved, readable form of a command (only built when tracing). */
  private describe(c: Command): string {
    const nodeName = (i: number) => this.nodes[i % this.nodes.length]!;
    const linkName = (i: number) => this.link(i);
    return describeCommand(c, this.world, this.spec, nodeName, linkName, this.nextWriteId);
  }

  /** Faults stop, links heal, nodes restart; the world runs until the newest point is reached. */
  finish(): void {
    driveToQuiescence(this, this.world, this.nodes, this.links);
  }
}
