/**
 * xrc assembled in a world: hosts, the common system timer, the primary storage controllers (one
 * primary volume each), the data mover, the secondary, and a link each way between the data mover
 * and the secondary (both unordered). A host has at most one write in flight: it waits for the
 * acknowledgment before it writes again, so its writes are dependent writes. `parts` lets a mutant
 * replace one part with a subclass that breaks one step.
 */
import type { AppWrite, Application, EventSink, ReplicationSystem } from '../sim/system.ts';
import { World } from '../sim/world.ts';
import { DEFAULT_XRC_CONFIG, MOVER, SECONDARY, TO_MOVER, TO_SECONDARY, type GroupMessage, type ToMover, type XrcConfig } from './context.ts';
import { Controller } from './controller.ts';
import { DataMover } from './mover.ts';
import { Secondary } from './secondary.ts';
import { CommonTimer } from './timer.ts';

export interface XrcParts {
  readonly Controller: typeof Controller;
  readonly DataMover: typeof DataMover;
  readonly Secondary: typeof Secondary;
}

export const REFERENCE_PARTS: XrcParts = { Controller, DataMover, Secondary };

/** The state the implementation and the model must agree on, in a fixed order. */
export function xrcAbstractKeys(controllers: number): string[] {
  const per = (name: string) => Array.from({ length: controllers }, (_, c) => `${name}${c}`);
  return ['newestStamp', ...per('stampedSeq'), ...per('releasedSeq'), 'committedCt', 'journaledCt'];
}

export class XrcSystem implements ReplicationSystem {
  readonly world = new World();
  readonly stepNodes: readonly string[];
  readonly hosts: number;
  readonly timer: CommonTimer;
  readonly controllers: Controller[] = [];
  readonly mover: DataMover;
  readonly secondary: Secondary;
  private readonly hostBusy: boolean[];
  private readonly steppers: (() => boolean)[];

  constructor(app: Application, emit: EventSink, parts: XrcParts = REFERENCE_PARTS, readonly config: XrcConfig = DEFAULT_XRC_CONFIG) {
    if (config.volumes !== config.controllers || config.controllers > 8) throw new Error('xrc: one primary volume per controller, at most 8');
    const ctx = { world: this.world, config, app, emit };
    this.hosts = config.hosts;
    this.hostBusy = new Array<boolean>(config.hosts).fill(false);
    this.timer = new CommonTimer(this.world, config.controllers, config.tickUnits);
    const toSecondary = this.world.addLink<GroupMessage>(
      { name: TO_SECONDARY, from: MOVER, to: SECONDARY, ordered: false, capacity: 32 },
      (m) => this.secondary.receive(m),
    );
    const toMover = this.world.addLink<ToMover>(
      { name: TO_MOVER, from: SECONDARY, to: MOVER, ordered: false, capacity: 16 },
      (m) => this.mover.receive(m),
    );
    for (let c = 0; c < config.controllers; c++) {
      this.controllers.push(new parts.Controller(ctx, c, this.timer, (host) => { this.hostBusy[host] = false; }));
    }
    this.mover = new parts.DataMover(ctx, this.controllers, toSecondary);
    this.secondary = new parts.Secondary(ctx, toMover);
    this.stepNodes = [...this.controllers.map((c) => c.name), MOVER, SECONDARY];
    this.steppers = [...this.controllers.map((c) => () => c.step()), () => this.mover.step(), () => this.secondary.step()];
  }

  /** Host `host` writes to the controller that owns the volume; refused while its last write is in flight. */
  write(host: number, write: AppWrite): boolean {
    if (this.hostBusy[host] !== false) return false;
    const controller = this.controllers[write.volume];
    if (controller === undefined || !controller.accept(host, write)) return false;
    this.hostBusy[host] = true;
    return true;
  }

  /** xrc takes no explicit consistency points: every prefix in timestamp order is one. */
  requestPoint(): boolean {
    return false;
  }

  step(node: string): boolean {
    const i = this.stepNodes.indexOf(node);
    if (i < 0) throw new Error(`xrc: no node ${node}`);
    return this.steppers[i]!();
  }

  failoverImage() {
    return this.secondary.failoverImage();
  }

  failoverStamp(): number {
    return this.secondary.failoverStamp();
  }

  /** In the order of xrcAbstractKeys. */
  abstractState(out: number[]): void {
    const n = this.config.controllers;
    out[0] = this.timer.newestStamp;
    for (const c of this.controllers) c.abstract(out, 1, n);
    this.secondary.abstract(out, 1 + 2 * n);
  }

  /** Whether the secondary is in the middle of shadowing a consistency group. */
  get shadowing(): boolean {
    return this.secondary.node.up && this.secondary.isShadowing;
  }
}

