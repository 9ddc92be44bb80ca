import { buildSatelliteConfig } from '../wireguard/satellite-config.js';
import { renderWgQuickConfig, type WgQuickConfig } from '../wireguard/wg-quick-config.js';
import type { WireguardAnswers } from './answers-schema.js';

/** The satellite's wg-quick config straight from its answers. */
export function buildSatelliteConfigFromAnswers(answers: WireguardAnswers): WgQuickConfig {
  const wg = answers.wireguard;
  return buildSatelliteConfig({
    address: wg.address,
    privateKey: wg.privateKey,
    mtu: wg.mtu,
    persistentKeepalive: wg.persistentKeepalive,
    core: { ...wg.core },
  });
}

export function renderSatelliteConfigFromAnswers(answers: WireguardAnswers): string {
  return renderWgQuickConfig(buildSatelliteConfigFromAnswers(answers));
}
