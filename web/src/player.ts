/**
 * The Amazon IVS web player, wired for a bundled build.
 *
 * The player runs in a Web Worker backed by WebAssembly. Its worker script and .wasm binary
 * ship in amazon-ivs-player/dist/assets; the `?url` imports make Vite copy them into the
 * build output as hashed assets and give us their URLs, which the player needs explicitly.
 *
 * `document.body.dataset.playerState` mirrors the IVS PlayerState ("Idle", "Ready",
 * "Buffering", "Playing", "Ended") and `dataset.playerError` holds the last error
 * ("<ErrorType> <code> <source>: <message>"), cleared once playback resumes.
 *
 * The viewer page imports this module lazily (the SDK is most of the page's weight): its
 * callbacks speak plain strings so that the page needs no value from the SDK itself.
 */
import {
  create,
  ErrorType,
  isPlayerSupported,
  PlayerEventType,
  PlayerState,
  type MediaPlayer,
  type PlayerError,
  type TextMetadataCue,
} from "amazon-ivs-player";
import wasmWorkerUrl from "amazon-ivs-player/dist/assets/amazon-ivs-wasmworker.min.js?url";
import wasmBinaryUrl from "amazon-ivs-player/dist/assets/amazon-ivs-wasmworker.min.wasm?url";

/** A stream that is not live yet (or dropped) is retried at this pace. */
const RETRY_MS = 5_000;
const RETRIABLE = new Set<ErrorType>([
  ErrorType.NOT_AVAILABLE,
  ErrorType.NETWORK,
  ErrorType.NETWORK_IO,
  ErrorType.TIMEOUT,
]);

/** The IVS PlayerState values: "Idle", "Ready", "Buffering", "Playing", "Ended". */
export type PlayerStateName = `${PlayerState}`;

/** Why the video is not playing: not live yet (or any more), a network problem, or for good. */
const SEGMENT_METADATA = "segmentmetadata";

export type PlayerTrouble = "not_live" | "network" | "fatal";

export interface LivePlayer {
  player: MediaPlayer;
  /** Unmutes (or mutes again); must run in a user gesture for browsers to allow sound. */
  setMuted(muted: boolean): void;
}

export interface LivePlayerOptions {
  video: HTMLVideoElement;
  /** The stream URL; a relative URL is resolved against the page. */
  streamUrl: string;
  onStateChange?: (state: PlayerStateName) => void;
  /** `willRetry`: the stream is reloaded in a few seconds (not live yet, network trouble). */
  onError?: (trouble: PlayerTrouble, willRetry: boolean) => void;
  onMutedChange?: (muted: boolean) => void;
  /** A timed-metadata cue's text (the producer's PutMetadata payload), when the video reaches it. */
  onMetadata?: (text: string) => void;
}

function absolute(url: string): string {
  return new URL(url, location.href).href;
}

function describe(error: PlayerError): string {
  return `${error.type} ${error.code} ${error.source}: ${error.message}`;
}

/** Starts muted autoplay of the live stream; null (with `playerError` set) if it cannot. */
export function startLivePlayer(options: LivePlayerOptions): LivePlayer | null {
  const body = document.body;
  if (!isPlayerSupported) {
    body.dataset.playerError = "unsupported: this browser has no WebAssembly";
    return null;
  }
  let streamUrl: string;
  let player: MediaPlayer;
  try {
    streamUrl = absolute(options.streamUrl);
    player = create({ wasmWorker: absolute(wasmWorkerUrl), wasmBinary: absolute(wasmBinaryUrl) });
  } catch (error) {
    body.dataset.playerError = `cannot start the player: ${String(error)}`;
    return null;
  }
  player.attachHTMLVideoElement(options.video);

  const onState = (state: PlayerState) => {
    body.dataset.playerState = state;
    if (state === PlayerState.PLAYING) delete body.dataset.playerError;
    options.onStateChange?.(state);
  };
  for (const state of Object.values(PlayerState)) {
    player.addEventListener(state, () => onState(state));
  }
  onState(player.getState());

  let retryTimer: number | undefined;
  player.addEventListener(PlayerEventType.ERROR, (error: PlayerError) => {
    body.dataset.playerError = describe(error);
    console.warn("[vitrine] player error", error);
    const willRetry = RETRIABLE.has(error.type);
    if (willRetry) {
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(() => player.load(streamUrl), RETRY_MS);
    }
    const trouble: PlayerTrouble =
      error.type === ErrorType.NOT_AVAILABLE ? "not_live" : willRetry ? "network" : "fatal";
    options.onError?.(trouble, willRetry);
  });
  // IVS tags every segment with its own `segmentmetadata` cue (the stream's clock); the
  // player raises it too. Only PutMetadata's cues (empty description) are the brand's.
  player.addEventListener(PlayerEventType.TEXT_METADATA_CUE, (cue: TextMetadataCue) => {
    if (cue.description === SEGMENT_METADATA) return;
    if (typeof cue.text === "string") options.onMetadata?.(cue.text);
  });
  player.addEventListener(PlayerEventType.MUTED_CHANGED, () => options.onMutedChange?.(player.isMuted()));
  // Sound was refused (no user gesture): fall back to muted playback instead of stopping.
  player.addEventListener(PlayerEventType.AUDIO_BLOCKED, () => {
    player.setMuted(true);
    player.play();
  });

  player.setAutoplay(true);
  player.setMuted(true);
  player.load(streamUrl);

  return {
    player,
    setMuted(muted: boolean) {
      player.setMuted(muted);
      if (player.isPaused()) player.play();
    },
  };
}
