import { errorObject, modelNotFound } from '../common/model-not-found';

/** Anthropic: a 404 (`not_found_error`, "model: …"), or a 400 of that type or saying the model is missing. */
export function anthropicModelNotFound(status: number, body: string): boolean {
  return modelNotFound(status, body, (json) => errorObject(json)?.type === 'not_found_error');
}
