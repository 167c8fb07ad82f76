/** How features reach the services: one React context, filled by the app shell. */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { AppState } from '../store/store';
import type { ViewState } from '../store/viewStore';
import type { Services } from './services';
import { frameBatched } from './renderBatch';

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('useServices() outside <ServicesContext.Provider>');
  return s;
}

/** One value of the batch store (components select single values, so unrelated changes do not re-render them).
 * A batch's results come at most once per frame (renderBatch.ts). */
export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(frameBatched(useServices().store), selector);
}

/** One value of the canvas view state. */
export function useView<T>(selector: (s: ViewState) => T): T {
  return useStore(useServices().view, selector);
}
