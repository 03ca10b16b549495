/**
 * The journal protocol assembled in a world: primary site, secondary site, and a link each way
 * (both unordered). `parts` lets a mutant replace one side with a subclass that breaks one step.
 */
import type { Application, EventSink, ReplicationSystem } from '../sim/system.ts';
import { World } from '../sim/world.ts';
import { DEFAULT_JOURNAL_CONFIG, PRIMARY, SECONDARY, TO_PRIMARY, TO_SECONDARY, type JournalConfig, type RecordMessage, type ToPrimary } from './context.ts';
import { Primary } from './primary.ts';
import { Secondary } from './secondary.ts';

export interface JournalParts {
  readonly Primary: typeof Primary;
  readonly Secondary: typeof Secondary;
}

/** The state the implementation and the model must agree on, in a fixed order. */
export const JOURNAL_ABSTRACT_KEYS = ['recordedPoint', 'loggedSeq', 'trimmedSeq', 'committedPoint', 'txnPoint'] as const;

export const REFERENCE_PARTS: JournalParts = { Primary, Secondary };

export class JournalSystem implements ReplicationSystem {
  readonly world = new World();
  readonly stepNodes = [PRIMARY, SECONDARY] as const;
  readonly hosts: number;
  readonly primary: Primary;
  readonly secondary: Secondary;

  constructor(app: Application, emit: EventSink, parts: JournalParts = REFERENCE_PARTS, config: JournalConfig = DEFAULT_JOURNAL_CONFIG) {
    const ctx = { world: this.world, config, app, emit };
    this.hosts = config.hosts;
    const toSecondary = this.world.addLink<RecordMessage>(
      { name: TO_SECONDARY, from: PRIMARY, to: SECONDARY, ordered: false, capacity: 4 * config.logSlots },
      (m) => this.secondary.receive(m),
    );
    const toPrimary = this.world.addLink<ToPrimary>(
      { name: TO_PRIMARY, from: SECONDARY, to: PRIMARY, ordered: false, capacity: 2 * config.logSlots },
      (m) => this.primary.receive(m),
    );
    this.primary = new parts.Primary(ctx, toSecondary);
    this.secondary = new parts.Secondary(ctx, toPrimary);
  }

  write(host: number, write: Parameters<Primary['write']>[1]): boolean {
    return this.primary.write(host, write);
  }

  requestPoint(): boolean {
    return this.primary.requestPoint();
  }

  step(node: string): boolean {
    return node === PRIMARY ? this.primary.step() : this.secondary.step();
  }

  failoverImage() {
    return this.secondary.failoverImage();
  }

  failoverStamp(): number {
    return this.secondary.failoverStamp();
  }

  /** In the order of JOURNAL_ABSTRACT_KEYS. */
  abstractState(out: number[]): void {
    this.primary.abstract(out);
    this.secondary.abstract(out);
  }
}
