// The best epoch under early stopping now lives in nn/best_epoch.ts (net.fit and train share it); re-exported here.

export { BestEpoch, type BestEpochState, type RestoredEpoch, restoredText } from "../nn/best_epoch.ts";
