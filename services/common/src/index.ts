export * from './config';
export * from './endpoints';
export * from './errors';
export * from './chain';
export * from './shutdown';
export * from './process';
export * from './faults';
