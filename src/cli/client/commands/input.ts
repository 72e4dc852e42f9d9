import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The app (or pod) JSON from a file, or stdin for `-`; sent to the server unchanged so it validates it. */
export async function readDefinition(source: string, stdin: NodeJS.ReadableStream, kind: 'app' | 'pod' = 'app'): Promise<string> {
  let text: string;
  try {
    text = source === '-' ? await readStream(stdin) : await readFile(source, 'utf8');
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
    throw new UsageError(`cannot read ${source === '-' ? 'standard input' : `'${source}'`}: ${reason}`);
  }
  if (text.trim() === '') throw new UsageError(`${source === '-' ? 'standard input' : `'${source}'`} is empty; expected ${kind} JSON`);
  return text;
}
