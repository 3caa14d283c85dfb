export { startConsole, type ConsoleFrontEnd, type ConsoleOptions } from './console.ts';
