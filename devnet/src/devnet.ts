/** A running devnet: the chain, its RPC server, the block timer and the development controls. */
import { Chain, type ChainOptions } from './chain';
import { Controls, type SubnetParams } from './controls';
import { registerSubstrateMethods } from './rpc/substrate';
import { RpcServer, type Params } from './rpc/server';

export interface DevnetOptions extends ChainOptions {
  host?: string;
  /** 0 picks a free port (the default, for tests). */
  port?: number;
  /** Produce a block every blockTimeMs of wall time; otherwise only on demand (default false). */
  autoBlocks?: boolean;
  chainName?: string;
}

export class Devnet {
  private timer?: NodeJS.Timeout;

  private constructor(
    readonly chain: Chain,
    readonly controls: Controls,
    private readonly server: RpcServer,
    readonly url: string,
  ) {}

  static async start(options: DevnetOptions = {}): Promise<Devnet> {
    const chain = await Chain.create(options);
    const server = new RpcServer();
    server.onInternalError = (error) => console.error('devnet internal error:', error);
    const controls = new Controls(chain, () => server.dropConnections());
    registerSubstrateMethods(server, chain, options.chainName ?? 'Subtensor Devnet');
    const host = options.host ?? '127.0.0.1';
    const port = await server.listen(host, options.port ?? 0);
    const devnet = new Devnet(chain, controls, server, `ws://${host}:${port}`);
    devnet.registerControls();
    if (options.autoBlocks) devnet.startTimer();
    return devnet;
  }

  /** Calls `listener` with the method of every JSON-RPC request, before it is answered. */
  onRequest(listener: ((method: string) => void) | undefined): void {
    this.server.onRequest = listener;
  }

  /** Open client connections, and requests answered so far. */
  get traffic(): { connections: number; requests: number } {
    return { connections: this.server.connections, requests: this.server.requests };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.server.close();
  }

  private startTimer(): void {
    this.timer = setInterval(() => {
      if (!this.controls.stalled) this.chain.produceBlock();
    }, this.chain.blockTimeMs);
    this.timer.unref();
  }

  private registerControls(): void {
    const c = this.controls;
    const m = (name: string, handler: (params: Params) => unknown) =>
      this.server.method(`devnet_${name}`, handler);
    m('createSubnet', ([params]) => c.createSubnet(params as SubnetParams));
    m('registerNeuron', ([netuid, hotkey, replaceUid]) =>
      c.registerNeuron(
        Number(netuid),
        String(hotkey),
        replaceUid === undefined || replaceUid === null ? undefined : Number(replaceUid),
      ),
    );
    m('registerNeurons', ([netuid, hotkeys]) =>
      c.registerNeurons(Number(netuid), (hotkeys as unknown[]).map(String)),
    );
    m('setValidatorPermit', ([netuid, uid, permit]) =>
      c.setValidatorPermit(Number(netuid), Number(uid), Boolean(permit)),
    );
    m('setStake', ([netuid, hotkey, amount]) =>
      c.setStake(Number(netuid), String(hotkey), amount as number | string),
    );
    m('setHyperparameter', ([name, netuid, value]) =>
      c.setHyperparameter(
        String(name),
        netuid === null || netuid === undefined ? null : Number(netuid),
        value,
      ),
    );
    m('endowAccount', ([address]) => c.endowAccount(String(address)));
    m('advanceBlocks', ([count]) => c.advanceBlocks(count === undefined ? 1 : Number(count)));
    m('advanceToNextEpoch', ([netuid]) => c.advanceToNextEpoch(Number(netuid)));
    m('dropConnections', () => c.dropConnections());
    m('stall', ([stalled]) => {
      c.stalled = stalled === undefined ? true : Boolean(stalled);
    });
    m('refuseSubmissions', ([code]) =>
      c.refuseSubmissions(code === undefined || code === null ? null : Number(code)),
    );
    m('delaySubmissions', ([ms]) => c.delaySubmissions(Number(ms ?? 0)));
    m('setFinalityLag', ([blocks]) => c.setFinalityLag(Number(blocks)));
    m('setStorageRaw', ([pairs]) =>
      c.setStorageRaw(pairs as ReadonlyArray<[string, string | null]>),
    );
    m('setStateWindow', ([blocks]) =>
      c.setStateWindow(blocks === undefined || blocks === null ? null : Number(blocks)),
    );
  }
}
