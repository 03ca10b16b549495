/**
 * The flashcopy protocol assembled in a world: the source site (source volume, first
 * intermediate), the target site (second intermediate, target volume), and one unordered link
 * each way between the intermediates. `parts` lets a mutant replace one site (or the mirror) with
 * a subclass that breaks one step.
 */
import type { Link } from '../sim/link.ts';
import type { AppWrite, Application, EventSink, ReplicationSystem } from '../sim/system.ts';
import { World } from '../sim/world.ts';
import { DEFAULT_FLASHCOPY_CONFIG, SOURCE, TARGET, TO_SOURCE, TO_TARGET, type FlashCopyConfig, type ToSource, type ToTarget } from './context.ts';
import { Mirror } from './mirror.ts';
import { SourceSite } from './source.ts';
import { TargetSite } from './target.ts';
import { MAX_BITMAP_BLOCKS } from './bitmap.ts';

export interface FlashCopyParts {
  readonly Source: typeof SourceSite;
  readonly Mirror: typeof Mirror;
  readonly Target: typeof TargetSite;
}

/** The state the implementation and the model must agree on, in a fixed order. */
export const FLASHCOPY_ABSTRACT_KEYS = ['cyclePoint', 'copy1Bitmap', 'futureMap', 'committedPoint', 'copy2Bitmap'] as const;

export const REFERENCE_PARTS: FlashCopyParts = { Source: SourceSite, Mirror, Target: TargetSite };

export class FlashCopySystem implements ReplicationSystem {
  readonly world = new World();
  readonly stepNodes = [SOURCE, TARGET] as const;
  readonly hosts: number;
  readonly source: SourceSite;
  readonly target: TargetSite;
  /** The links between the intermediates: source to target first (the bench workload's link 0). */
  readonly toTarget: Link<ToTarget>;
  readonly toSource: Link<ToSource>;

  constructor(app: Application, emit: EventSink, parts: FlashCopyParts = REFERENCE_PARTS, config: FlashCopyConfig = DEFAULT_FLASHCOPY_CONFIG) {
    if (config.volumes * config.blocksPerVolume > MAX_BITMAP_BLOCKS) throw new Error('flashcopy: too many blocks for a bitmap');
    const ctx = { world: this.world, config, app, emit };
    this.hosts = config.hosts;
    this.toTarget = this.world.addLink<ToTarget>(
      { name: TO_TARGET, from: SOURCE, to: TARGET, ordered: false, capacity: config.linkCapacity },
      (m) => this.target.receive(m),
    );
    this.toSource = this.world.addLink<ToSource>(
      { name: TO_SOURCE, from: TARGET, to: SOURCE, ordered: false, capacity: config.linkCapacity },
      (m) => this.source.receive(m),
    );
    this.source = new parts.Source(ctx, this.toTarget, parts.Mirror);
    this.target = new parts.Target(ctx, this.toSource);
  }

  write(host: number, write: AppWrite): boolean {
    return this.source.write(host, write);
  }

  requestPoint(): boolean {
    return this.source.requestPoint();
  }

  step(node: string): boolean {
    return node === SOURCE ? this.source.step() : this.target.step();
  }

  failoverImage() {
    return this.target.failoverImage();
  }

  failoverStamp(): number {
    return this.target.failoverStamp();
  }

  /** In the order of FLASHCOPY_ABSTRACT_KEYS. */
  abstractState(out: number[]): void {
    this.source.abstract(out);
    this.target.abstract(out);
  }
}
