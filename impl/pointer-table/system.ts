/**
 * The pointer-table protocol assembled in a world: the primary, three secondary storage controls
 * and the replication management application; an unordered link from the primary to each control
 * and one from the manager to the primary. `parts` lets a mutant replace one part with a subclass
 * that breaks one step.
 *
 * The failover image: each control's durable pointer table and physical blocks after its own
 * recovery, with the manager's durable record deciding a half-done commit: a control whose links
 * already correspond to the group in progress is reverted to the previous group (the claim's
 * revert, and what the manager's own recovery does).
 */
import type { Application, AppWrite, EventSink, Image, ReplicationSystem } from '../sim/system.ts';
import { World } from '../sim/world.ts';
import {
  DEFAULT_POINTER_TABLE_CONFIG, MANAGER, PRIMARY, TO_PRIMARY, controlName, toControlLink,
  type PointerTableConfig, type ReleasedMessage, type ToControl,
} from './context.ts';
import { Control } from './control.ts';
import { Manager } from './manager.ts';
import { Primary } from './primary.ts';

export interface PointerTableParts {
  readonly Primary: typeof Primary;
  readonly Control: typeof Control;
  readonly Manager: typeof Manager;
}

export const REFERENCE_PARTS: PointerTableParts = { Primary, Control, Manager };

/** The state the implementation and the model must agree on, in a fixed order. */
export const POINTER_TABLE_ABSTRACT_KEYS = [
  'closedGroup', 'loggedSeq', 'trimmedSeq', 'control1Group', 'control2Group', 'control3Group', 'committedGroup', 'commitGroup',
] as const;

export class PointerTableSystem implements ReplicationSystem {
  readonly world = new World();
  readonly stepNodes: readonly string[];
  readonly hosts: number;
  readonly primary: Primary;
  readonly controls: readonly Control[];
  readonly manager: Manager;
  private readonly zero: Uint8Array;
  private readonly blocksPerVolume: number;

  constructor(app: Application, emit: EventSink, parts: PointerTableParts = REFERENCE_PARTS, config: PointerTableConfig = DEFAULT_POINTER_TABLE_CONFIG) {
    if (config.volumes !== config.controls) throw new Error('pointer-table: one volume per control');
    const ctx = { world: this.world, config, app, emit };
    this.hosts = config.hosts;
    this.blocksPerVolume = config.blocksPerVolume;
    this.zero = new Uint8Array(config.blockSize_bytes);
    const controls: Control[] = [];
    const toControls = Array.from({ length: config.controls }, (_, i) => this.world.addLink<ToControl>(
      { name: toControlLink(i), from: PRIMARY, to: controlName(i), ordered: false, capacity: 4 * config.bufferSlots },
      (m) => controls[i]!.receive(m),
    ));
    const toPrimary = this.world.addLink<ReleasedMessage>(
      { name: TO_PRIMARY, from: MANAGER, to: PRIMARY, ordered: false, capacity: 2 * config.bufferSlots },
      (m) => this.primary.receive(m),
    );
    this.primary = new parts.Primary(ctx, toControls);
    for (let i = 0; i < config.controls; i++) controls.push(new parts.Control(ctx, i));
    this.controls = controls;
    this.manager = new parts.Manager(ctx, controls, toPrimary);
    // The generator picks node indexes 0..7 modulo the count: the first three get twice the
    // steps (and crashes) of the last two. The manager needs the most steps per group after the
    // primary; controls need one step per group.
    this.stepNodes = [PRIMARY, MANAGER, ...controls.map((c) => c.name)];
  }

  write(host: number, write: AppWrite): boolean {
    return this.primary.write(host, write);
  }

  requestPoint(): boolean {
    return this.primary.requestPoint();
  }

  step(node: string): boolean {
    if (node === PRIMARY) return this.primary.step();
    if (node === MANAGER) return this.manager.step();
    const control = this.controls.find((c) => c.name === node);
    if (control === undefined) throw new Error(`pointer-table: no node ${node}`);
    return control.step();
  }

  /** The protocol's own fault: the next link switch on control `target` fails. */
  armLinkUpdateError(target: number): boolean {
    return this.controls[target % this.controls.length]!.armLinkUpdateError();
  }

  failoverImage(): Image {
    const record = this.manager.durableRecord();
    const image = new Array<Uint8Array>(this.controls.length * this.blocksPerVolume);
    for (let i = 0; i < this.controls.length; i++) {
      const control = this.controls[i]!;
      const group = control.durableCommittedGroup();
      const upTo = record.pending !== 0 && group === record.pending ? group - 1 : group;
      control.durableImage(upTo, image, i * this.blocksPerVolume, this.zero);
    }
    return image;
  }

  failoverStamp(): number {
    let stamp = this.manager.record.durableVersion;
    for (const c of this.controls) stamp += c.failoverStamp();
    return stamp;
  }

  /** In the order of POINTER_TABLE_ABSTRACT_KEYS. */
  abstractState(out: number[]): void {
    this.primary.abstract(out);
    for (let i = 0; i < this.controls.length; i++) this.controls[i]!.abstract(out, 3 + i);
    this.manager.abstract(out, 3 + this.controls.length);
  }
}
