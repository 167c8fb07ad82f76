import { create } from 'zustand';
import type { PostprocessParams } from '../core/detection/card';
import { createBatchSlice, type BatchSlice } from './batchSlice';
import { createModelSlice, type ModelSlice } from './modelSlice';
import { createNoticesSlice, type NoticesSlice } from './noticesSlice';
import { createPersistSlice, type PersistSlice } from './persistSlice';
import { createSettingsSlice, type SettingsSlice } from './settingsSlice';
import { createSampleSlice, type SampleSlice } from './sampleSlice';
import { createProfileSlice, type ProfileSlice } from './profileSlice';

export type AppState = BatchSlice & SettingsSlice & ModelSlice & PersistSlice & NoticesSlice & SampleSlice & ProfileSlice;

export function createAppStore(defaults: PostprocessParams) {
  return create<AppState>()((...a) => ({
    ...createBatchSlice(...a),
    ...createSettingsSlice(defaults)(...a),
    ...createModelSlice(...a),
    ...createPersistSlice(...a),
    ...createNoticesSlice(...a),
    ...createSampleSlice(...a),
    ...createProfileSlice(...a),
  }));
}

export type AppStore = ReturnType<typeof createAppStore>;
