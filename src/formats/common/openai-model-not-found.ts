import { errorObject, modelNotFound } from './model-not-found';

/** OpenAI's codes for a model it does not serve (Azure: a deployment that does not exist). */
const CODES: ReadonlySet<unknown> = new Set(['model_not_found', 'model_not_supported', 'DeploymentNotFound']);

/**
 * OpenAI and compatible servers (Chat Completions and Responses share it): a 404, or a 400 whose
 * `error.code` is `model_not_found` / `model_not_supported`, or whose message says the model is
 * missing ("does not exist", "is not a valid model ID", "Model Not Exist"…).
 */
export function openAiModelNotFound(status: number, body: string): boolean {
  return modelNotFound(status, body, (json) => CODES.has(errorObject(json)?.code));
}
