import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { denied } from './signed-request.js';

/**
 * A strict reader of STS's `GetCallerIdentityResponse` (AWS STS API Reference, "GetCallerIdentity").
 * CVE-2020-16250 turned on a lenient decoder finding a forged response inside some other document;
 * here the whole body must be that one document: the response element at the root in STS's
 * namespace, exactly one result with exactly one Arn, UserId and Account, nothing else, and no
 * DOCTYPE anywhere (fast-xml-parser honours one even inside an element, entities and all).
 */

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface CallerIdentity {
  arn: string;
  account: string;
  userId: string;
}

// With every element read as an array (below), one occurrence is a one-element tuple; a second
// one, an attribute or a child element where text belongs fails the schema.
const text = z.tuple([z.string().min(1)]);
const responseDocument = z
  .object({
    GetCallerIdentityResponse: z.tuple([
      z
        .object({
          '@_xmlns': z.literal(STS_NAMESPACE),
          GetCallerIdentityResult: z.tuple([z.object({ Arn: text, UserId: text, Account: text }).strict()]),
          ResponseMetadata: z.tuple([z.object({ RequestId: text }).strict()]),
        })
        .strict(),
    ]),
  })
  .strict();

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  ignoreDeclaration: true,
  // Account ids are text: "012345678901" must not become a number.
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

export function parseCallerIdentity(body: string): CallerIdentity {
  if (!/^(<\?xml [^>]*\?>\s*)?<GetCallerIdentityResponse[\s>]/.test(body)) throw denied('the STS answer is not a GetCallerIdentityResponse document');
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw denied('the STS answer carries a DOCTYPE');
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw denied(`the STS answer is not well-formed XML (${valid.err.msg})`);
  const document = responseDocument.safeParse(parser.parse(body));
  if (!document.success) throw denied('the STS answer is not exactly one GetCallerIdentityResponse holding one GetCallerIdentityResult with one Arn, UserId and Account');
  const [{ GetCallerIdentityResult: [result] }] = document.data.GetCallerIdentityResponse;
  return { arn: result.Arn[0], account: result.Account[0], userId: result.UserId[0] };
}

const errorDocument = z.object({
  ErrorResponse: z.tuple([z.object({ Error: z.tuple([z.object({ Code: text, Message: text.optional() })]) })]),
});

/** Code and Message of an STS `ErrorResponse`, for the server log; whatever it says, the login is refused. */
export function describeStsError(body: string): string {
  if (/<!DOCTYPE|<!ENTITY/i.test(body) || XMLValidator.validate(body) !== true) return 'an answer that is not XML';
  const error = errorDocument.safeParse(parser.parse(body));
  if (!error.success) return 'an answer that is not an ErrorResponse';
  const [{ Error: [{ Code: [code], Message }] }] = error.data.ErrorResponse;
  // Bounded: the log needs the gist, not whatever an answer chose to echo back.
  return (Message === undefined ? code : `${code}: ${Message[0]}`).slice(0, 300);
}
