import { errorObject, modelNotFound } from '../common/model-not-found';

/**
 * Gemini: a 404 `NOT_FOUND` ("models/x is not found for API version v1beta…"), or a 400 with that
 * status name or saying the model does not exist.
 */
export function geminiModelNotFound(status: number, body: string): boolean {
  return modelNotFound(status, body, (json) => errorObject(json)?.status === 'NOT_FOUND');
}
