export * from './packer/index.js';
