import type { Config } from "../../lib/config";
import { ENVIRONMENT } from "../../lib/config";

/**
 * The vendors' own services DESIGN §2 trusts with an integration's
 * credentials besides its `url` and `apiUrl` (Docker Hub's token service, Yandex's IAM endpoint).
 * Set once per process from the configuration, by the server and the worker
 * at start-up, so that every adapter, wherever it is built, trusts the same.
 */
let dockerHubAuth: string = ENVIRONMENT.DRYDOCK_DOCKER_HUB_AUTH_URL.default;
let yandexIam: string = ENVIRONMENT.DRYDOCK_YANDEX_IAM_URL.default;

export function trustKnownServices(config: Pick<Config, "dockerHubAuthUrl"> & Partial<Pick<Config, "yandexIamUrl">>): void {
  dockerHubAuth = config.dockerHubAuthUrl;
  yandexIam = config.yandexIamUrl ?? ENVIRONMENT.DRYDOCK_YANDEX_IAM_URL.default;
}

/** Docker Hub's token service (its realm's origin receives DOCKER_HUB credentials). */
export function dockerHubTokenService(): string {
  return dockerHubAuth;
}

/** Yandex's IAM token endpoint (receives YANDEX OAuth tokens and service-account JWTs, nothing else). */
export function yandexIamService(): string {
  return yandexIam;
}
