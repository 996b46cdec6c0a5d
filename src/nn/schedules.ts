// Learning-rate schedules: the rate of every epoch from the base rate η₀, the epoch e (1-based) and the run's E.

/** Multiply the rate by `factor` every `every` epochs: η_e = η₀ · factor^⌊(e − 1) / every⌋. */
export interface StepSchedule {
  /** Always `"step"`. */
  type: "step";
  /** Epochs between two cuts (a positive integer). */
  every: number;
  /** What each cut multiplies the rate by, in (0, 1]. */
  factor: number;
}

/** Multiply the rate by γ every epoch: η_e = η₀ · γ^(e − 1). */
export interface ExponentialSchedule {
  /** Always `"exponential"`. */
  type: "exponential";
  /** γ, in (0, 1]. */
  gamma: number;
}

/**
 * Linear warm-up, then cosine annealing (Loshchilov & Hutter, SGDR, 2017; PyTorch's CosineAnnealingLR):
 * η_e = η₀ · e / w for e ≤ w, then η_e = η_min + (η₀ − η_min) · (1 + cos(π · (e − w − 1) / (E − w))) / 2.
 */
export interface CosineSchedule {
  /** Always `"cosine"`. */
  type: "cosine";
  /** w, epochs of linear warm-up (0: none). */
  warmupEpochs: number;
  /** η_min, the rate the cosine falls towards (reached just after the last epoch). */
  minLearningRate: number;
}

/**
 * Cut the rate by `factor` when the monitored loss has not improved for `patience` epochs (Keras's
 * ReduceLROnPlateau, with min_delta 0 and no cooldown): after epoch e, if its loss is below the best so far the
 * count of waiting epochs restarts, else it grows; when it reaches `patience`, η ← max(η · factor, η_min) and the
 * count restarts. The trainer monitors the test loss when there is a test set, else the training loss.
 */
export interface PlateauSchedule {
  /** Always `"plateau"`. */
  type: "plateau";
  /** Epochs without improvement before a cut (a positive integer). */
  patience: number;
  /** What a cut multiplies the rate by, in (0, 1). */
  factor: number;
  /** The rate is never cut below this. */
  minLearningRate: number;
}

/** A learning-rate schedule (`train.schedule` in a config, `FitOptions.schedule` in the library). */
export type Schedule = StepSchedule | ExponentialSchedule | CosineSchedule | PlateauSchedule;

/** The schedule names. */
export type ScheduleName = Schedule["type"];

/** Every schedule name. */
export const SCHEDULE_NAMES: readonly ScheduleName[] = ["step", "exponential", "cosine", "plateau"];

/**
 * The rate of epoch `epoch` (1-based) of a run of `epochs` epochs under a schedule that depends on the epoch
 * only (step, exponential, cosine), from the base rate `learningRate`.
 *
 * @example
 * ```ts
 * import { scheduledRate } from "./schedules.ts";
 * const schedule = { type: "step", every: 10, factor: 0.5 } as const;
 * if (scheduledRate(schedule, { learningRate: 0.1, epoch: 11, epochs: 30 }) !== 0.05) throw new Error();
 * ```
 */
export function scheduledRate(
  schedule: StepSchedule | ExponentialSchedule | CosineSchedule,
  options: { learningRate: number; epoch: number; epochs: number },
): number {
  const { learningRate, epoch, epochs } = options;
  switch (schedule.type) {
    case "step":
      return learningRate * schedule.factor ** Math.floor((epoch - 1) / schedule.every);
    case "exponential":
      return learningRate * schedule.gamma ** (epoch - 1);
    case "cosine": {
      const warmup = schedule.warmupEpochs, low = schedule.minLearningRate;
      if (epoch <= warmup) return learningRate * epoch / warmup;
      const progress = Math.min(1, (epoch - warmup - 1) / Math.max(1, epochs - warmup));
      return low + (learningRate - low) * (1 + Math.cos(Math.PI * progress)) / 2;
    }
  }
}

/** Checks a schedule's fields; a `RangeError` names the first bad one. */
export function checkSchedule(schedule: Schedule): Schedule {
  const positiveInteger = (value: number, what: string) => {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`Invalid schedule: ${what} must be a positive integer, got ${value}`);
    }
  };
  const inRange = (value: number, what: string, closed: boolean) => {
    if (!(value > 0) || !(closed ? value <= 1 : value < 1)) {
      throw new RangeError(`Invalid schedule: ${what} must be in (0, 1${closed ? "]" : ")"}, got ${value}`);
    }
  };
  const nonNegative = (value: number, what: string) => {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`Invalid schedule: ${what} must be a non-negative number, got ${value}`);
    }
  };
  const keys: Record<ScheduleName, readonly string[]> = {
    step: ["every", "factor"],
    exponential: ["gamma"],
    cosine: ["warmupEpochs", "minLearningRate"],
    plateau: ["patience", "factor", "minLearningRate"],
  };
  const known = keys[schedule?.type];
  if (known !== undefined) {
    for (const key of Object.keys(schedule)) {
      if (key !== "type" && !known.includes(key)) {
        throw new RangeError(
          `Invalid schedule: "${key}" is not a setting of ${schedule.type} (expected ${known.join(", ")})`,
        );
      }
    }
  }
  switch (schedule?.type) {
    case "step":
      positiveInteger(schedule.every, "every");
      inRange(schedule.factor, "factor", true);
      break;
    case "exponential":
      inRange(schedule.gamma, "gamma", true);
      break;
    case "cosine":
      if (!Number.isSafeInteger(schedule.warmupEpochs) || schedule.warmupEpochs < 0) {
        throw new RangeError(
          `Invalid schedule: warmupEpochs must be a non-negative integer, got ${schedule.warmupEpochs}`,
        );
      }
      nonNegative(schedule.minLearningRate, "minLearningRate");
      break;
    case "plateau":
      positiveInteger(schedule.patience, "patience");
      inRange(schedule.factor, "factor", false);
      nonNegative(schedule.minLearningRate, "minLearningRate");
      break;
    default:
      throw new RangeError(
        `Invalid schedule: unknown type ${JSON.stringify((schedule as { type?: unknown })?.type)} ` +
          `(expected one of ${SCHEDULE_NAMES.join(", ")})`,
      );
  }
  return schedule;
}

/**
 * A short description of a schedule for headers and logs: `step ×0.5 every 10`, `exponential ×0.95`,
 * `cosine`, `cosine warm-up 2` or `plateau ×0.5 after 5`.
 */
export function describeSchedule(schedule: Schedule): string {
  switch (schedule.type) {
    case "step":
      return `step ×${schedule.factor} every ${schedule.every}`;
    case "exponential":
      return `exponential ×${schedule.gamma}`;
    case "cosine":
      return schedule.warmupEpochs > 0 ? `cosine warm-up ${schedule.warmupEpochs}` : "cosine";
    case "plateau":
      return `plateau ×${schedule.factor} after ${schedule.patience}`;
  }
}

/** A `Scheduler`'s state during a run (see `Scheduler.saveState`). */
export interface SchedulerState {
  /** The ratio of a rate set by hand to the schedule's rate (1 when none was set). */
  scale: number;
  /** plateau: the current rate. */
  rate: number;
  /** plateau: the best monitored loss so far. */
  best: number;
  /** plateau: epochs without improvement since the last cut or improvement. */
  wait: number;
}

/**
 * A schedule applied to a run: gives the rate of each epoch and, for `plateau`, watches the monitored loss.
 * A rate set by hand (the dashboard's `+`/`-`) scales the rest of the run: later epochs get the schedule's rate
 * times the ratio of the rate set to the rate the schedule gave then.
 *
 * @example
 * ```ts
 * import { Scheduler } from "./schedules.ts";
 * const scheduler = new Scheduler({ type: "exponential", gamma: 0.5 }, { learningRate: 0.1, epochs: 3 });
 * if (scheduler.rateFor(3) !== 0.025) throw new Error();
 * ```
 */
export class Scheduler {
  /** The schedule. */
  readonly schedule: Schedule;
  /** The base rate η₀. */
  readonly learningRate: number;
  /** The run's length E. */
  readonly epochs: number;
  #scale = 1;
  // plateau: the current rate, the best loss seen and the epochs waited since
  #rate: number;
  #best = Infinity;
  #wait = 0;

  /** Applies `schedule` to a run of `epochs` epochs from the base rate `learningRate`. */
  constructor(schedule: Schedule, options: { learningRate: number; epochs: number }) {
    this.schedule = checkSchedule(schedule);
    this.learningRate = options.learningRate;
    this.epochs = options.epochs;
    this.#rate = options.learningRate;
  }

  /** The rate of epoch `epoch` (1-based). */
  rateFor(epoch: number): number {
    const schedule = this.schedule;
    if (schedule.type === "plateau") return this.#rate;
    return this.#scale *
      scheduledRate(schedule, { learningRate: this.learningRate, epoch, epochs: this.epochs });
  }

  /** Records the monitored loss of the epoch just finished (only `plateau` uses it). */
  observe(loss: number): void {
    const schedule = this.schedule;
    if (schedule.type !== "plateau") return;
    if (loss < this.#best) {
      this.#best = loss;
      this.#wait = 0;
    } else if (++this.#wait >= schedule.patience) {
      this.#rate = Math.max(this.#rate * schedule.factor, schedule.minLearningRate);
      this.#wait = 0;
    }
  }

  /** A rate set by hand during epoch `epoch`: the schedule continues from it (see the class comment). */
  override(value: number, epoch: number): void {
    if (this.schedule.type === "plateau") {
      this.#rate = value;
      return;
    }
    const scheduled = this.rateFor(epoch) / this.#scale;
    if (scheduled > 0) this.#scale = value / scheduled;
  }

  /**
   * What the schedule has learnt during the run, for checkpoints: the factor set by hand (`scale`) and plateau's
   * current rate, best loss (Infinity before the first epoch) and epochs waited.
   */
  saveState(): SchedulerState {
    return { scale: this.#scale, rate: this.#rate, best: this.#best, wait: this.#wait };
  }

  /** Continues from a state given by `saveState`. */
  loadState(state: SchedulerState): void {
    this.#scale = state.scale;
    this.#rate = state.rate;
    this.#best = state.best;
    this.#wait = state.wait;
  }

  /** Starts over (a restart of the run). */
  reset(): void {
    this.#scale = 1;
    this.#rate = this.learningRate;
    this.#best = Infinity;
    this.#wait = 0;
  }
}
