/**
 * ApiVersions (key 18), v0-4: the versions of every API this node implements,
 * built from the handler registry so that it never advertises more than is
 * there. An unsupported ApiVersions version is answered in connection.ts
 * (KIP-511). v3+ carries the client's software name and version, which Kafka
 * validates: a malformed name gets INVALID_REQUEST.
 */
import { apiVersions } from "../../protocol/messages/mod.ts";
import { ErrorCode, parseRange } from "../../protocol/mod.ts";
import type { ApiHandler } from "../handler.ts";
import { SUPPORTED_FEATURES } from "../controller/mod.ts";

const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const apiVersionsHandler: ApiHandler<typeof apiVersions> = {
  schema: apiVersions,
  handle(context, body) {
    const served = [...context.handlers.values()];
    const apiKeys = served.map((handler) => ({
      apiKey: handler.schema.apiKey,
      minVersion: parseRange(handler.schema.versions).min,
      maxVersion: parseRange(handler.schema.versions).max,
    }));
    const valid = context.version < 3 ||
      (SOFTWARE_PATTERN.test(body.clientSoftwareName) && SOFTWARE_PATTERN.test(body.clientSoftwareVersion));
    return {
      errorCode: valid ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST,
      apiKeys,
      throttleTimeMs: 0,
      supportedFeatures: SUPPORTED_FEATURES.map((feature) => ({
        name: feature.name,
        minVersion: feature.minSupportedVersion,
        maxVersion: feature.maxSupportedVersion,
      })),
      finalizedFeaturesEpoch: context.services.metadata.image.recordsApplied,
      finalizedFeatures: [...context.services.metadata.image.features].map(([name, level]) => ({
        name,
        maxVersionLevel: level,
        minVersionLevel: level,
      })),
    };
  },
};
