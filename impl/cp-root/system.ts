/**
 * The cp-root protocol assembled in a world: the first storage server, the second, and a link
 * each way (both unordered: batches, roots and acknowledgments may be reordered, dropped,
 * duplicated or delayed by the harness). `parts` lets a mutant replace one server with a subclass
 * that breaks one step.
 */
import type { AppWrite, Application, EventSink, Image, ReplicationSystem } from '../sim/system.ts';
import { World } from '../sim/world.ts';
import { DEFAULT_CP_ROOT_CONFIG, FIRST, SECOND, TO_FIRST, TO_SECOND, type CpRootConfig, type ToFirst, type ToSecond } from './context.ts';
import { FirstServer } from './first.ts';
import { SecondServer } from './second.ts';

export interface CpRootParts {
  readonly First: typeof FirstServer;
  readonly Second: typeof SecondServer;
}

/** The state the implementation and the model must agree on, in a fixed order. */
export const CP_ROOT_ABSTRACT_KEYS = ['takenPoint', 'nvramSeq', 'localRootPoint', 'ackedPoint', 'acceptedPoint', 'writingPoint'] as const;

export const REFERENCE_PARTS: CpRootParts = { First: FirstServer, Second: SecondServer };

export class CpRootSystem implements ReplicationSystem {
  readonly world = new World();
  readonly stepNodes = [FIRST, SECOND] as const;
  readonly hosts: number;
  readonly first: FirstServer;
  readonly second: SecondServer;

  constructor(app: Application, emit: EventSink, parts: CpRootParts = REFERENCE_PARTS, config: CpRootConfig = DEFAULT_CP_ROOT_CONFIG) {
    const ctx = { world: this.world, config, app, emit };
    this.hosts = config.hosts;
    const toSecond = this.world.addLink<ToSecond>(
      { name: TO_SECOND, from: FIRST, to: SECOND, ordered: false, capacity: 32 },
      (m) => this.second.receive(m),
    );
    const toFirst = this.world.addLink<ToFirst>(
      { name: TO_FIRST, from: SECOND, to: FIRST, ordered: false, capacity: 32 },
      (m) => this.first.receive(m),
    );
    this.first = new parts.First(ctx, toSecond);
    this.second = new parts.Second(ctx, toFirst);
  }

  write(host: number, write: AppWrite): boolean {
    return this.first.write(host, write);
  }

  requestPoint(): boolean {
    return this.first.requestPoint();
  }

  step(node: string): boolean {
    return node === FIRST ? this.first.step() : this.second.step();
  }

  failoverImage(): Image {
    return this.second.failoverImage();
  }

  failoverStamp(): number {
    return this.second.failoverStamp();
  }

  /** In the order of CP_ROOT_ABSTRACT_KEYS. */
  abstractState(out: number[]): void {
    this.first.abstract(out);
    this.second.abstract(out);
  }
}
