// The subset of OpenAPI 3.0.3 the Run:ai contract uses, typed loosely enough to describe any schema object
// (schemas are open-ended) and strictly enough that the loader does not need casts past the JSON boundary.

/** An OpenAPI 3.0 schema object (or reference). Keywords are open-ended, so values are unknown. */
export interface OpenApiSchema {
  readonly [keyword: string]: unknown;
}

export interface OpenApiReference {
  readonly $ref: string;
}

export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'query' | 'path' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: OpenApiSchema;
  readonly style?: string;
  readonly explode?: boolean;
}

export interface OpenApiMediaType {
  readonly schema?: OpenApiSchema;
}

export interface OpenApiRequestBody {
  readonly required?: boolean;
  readonly content: Readonly<Record<string, OpenApiMediaType>>;
}

export interface OpenApiResponse {
  readonly content?: Readonly<Record<string, OpenApiMediaType>>;
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly tags?: readonly string[];
  readonly parameters?: readonly (OpenApiParameter | OpenApiReference)[];
  readonly requestBody?: OpenApiRequestBody | OpenApiReference;
  readonly responses: Readonly<Record<string, OpenApiResponse | OpenApiReference>>;
}

export type OpenApiPathItem = Readonly<Partial<Record<OpenApiMethod, OpenApiOperation>>>;

export const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type OpenApiMethod = (typeof OPENAPI_METHODS)[number];

export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Readonly<Record<string, OpenApiPathItem>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, OpenApiSchema>>;
    readonly parameters?: Readonly<Record<string, OpenApiParameter>>;
    readonly responses?: Readonly<Record<string, OpenApiResponse>>;
    readonly requestBodies?: Readonly<Record<string, OpenApiRequestBody>>;
    readonly securitySchemes?: Readonly<Record<string, OpenApiSchema>>;
  };
}

export function isReference(value: unknown): value is OpenApiReference {
  return typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string';
}
