export {
  startConsole,
  type ConsoleFrontEnd,
  type ConsoleOptions,
  type ConsoleSummary,
} from './console.ts';
