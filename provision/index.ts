// Public surface of the provisioning generators (pure: no files, sockets or processes).
export * from './lib/addressing/ip-address.js';
export * from './lib/addressing/cidr.js';
export * from './lib/addressing/tunnel-subnet.js';
export * from './lib/addressing/address-pool.js';
export * from './lib/wireguard/wg-keys.js';
export * from './lib/wireguard/endpoint.js';
export * from './lib/wireguard/wg-quick-config.js';
export * from './lib/wireguard/parse-wg-quick-config.js';
export * from './lib/wireguard/hub-config.js';
export * from './lib/wireguard/satellite-config.js';
export * from './lib/answers/satellite-id.js';
export * from './lib/answers/answers-schema.js';
export * from './lib/answers/parse-answers.js';
export * from './lib/answers/render-answers.js';
export * from './lib/answers/broker-dsn.js';
export * from './lib/answers/satellite-wireguard.js';
