import { UsmError } from '../../../common/usm-error.js';
import { runTool, type RunTool } from '../plan/run-tool.js';
import { NFT_TABLE } from './satellite-layout.js';

/** Loads the ruleset file; it replaces only our own table, in one transaction. */
export async function loadFirewall(fileHostPath: string, run: RunTool = runTool): Promise<void> {
  const result = await run('nft', ['-f', fileHostPath], { allowFailure: true, timeoutMs: 30_000 });
  if (result.exitCode !== 0) {
    throw new UsmError('E_FIREWALL', `nft -f ${fileHostPath} failed: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`, {
      problems: ['install nftables (apt-get install nftables) and run as root; the kernel needs nf_tables'],
    });
  }
}

export async function removeFirewall(run: RunTool = runTool): Promise<void> {
  await run('nft', ['delete', 'table', 'inet', NFT_TABLE], { allowFailure: true, timeoutMs: 30_000 });
}

export async function firewallLoaded(run: RunTool = runTool): Promise<boolean> {
  const result = await run('nft', ['list', 'table', 'inet', NFT_TABLE], { allowFailure: true, timeoutMs: 30_000 });
  return result.exitCode === 0;
}
