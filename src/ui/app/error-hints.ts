/** Marathon passes Play's error keys through unexplained; the editor and the form say what they mean beside them. */
export const ERROR_KEY_HINTS: Readonly<Record<string, string>> = {
  'error.expected.jsstring': 'must be a string',
  'error.expected.jsnumber': 'must be a number',
  'error.expected.jsboolean': 'must be true or false',
  'error.expected.jsarray': 'must be an array',
  'error.expected.jsobject': 'must be an object',
  'error.path.missing': 'is required',
  'error.min': 'is below the smallest allowed value',
  'error.max': 'is above the largest allowed value',
  'error.minLength': 'is too short',
  'error.maxLength': 'is too long',
  'error.pattern': 'does not have the required form',
  'error.unknown.enum.literal': 'is not one of the allowed values',
};
