import { cleanText, htmlToText } from '../../src/mapping/htmlText';
import { subjectOf } from '../../src/mapping/subject';

describe('subject', () => {
  it('is source.subject, else title, else null; whitespace collapsed and trimmed', () => {
    expect(subjectOf({ source: { subject: '  Refund\n request\t ' }, title: 'T' })).toBe('Refund request');
    expect(subjectOf({ source: { subject: null }, title: ' Billing ' })).toBe('Billing');
    expect(subjectOf({ source: { subject: null }, title: null })).toBeNull();
    expect(subjectOf({ source: null, title: undefined })).toBeNull();
    expect(subjectOf({})).toBeNull();
  });

  it('counts a whitespace-only subject as absent', () => {
    expect(subjectOf({ source: { subject: ' \n\t\u00a0 ' }, title: 'Billing' })).toBe('Billing');
    expect(subjectOf({ source: { subject: '   ' }, title: '  ' })).toBeNull();
  });

  it('keeps plain text that looks like markup (details are fetched with display_as=plaintext)', () => {
    expect(subjectOf({ source: { subject: 'Terms & conditions <update>' } })).toBe('Terms & conditions <update>');
    expect(subjectOf({ source: { subject: 'Q&amp;A' } })).toBe('Q&amp;A');
  });

  describe('from HTML (search results, webhooks)', () => {
    const html = (subject: string | null, title: string | null = null) => subjectOf({ source: { subject }, title }, 'html');

    it('strips tags and decodes entities', () => {
      expect(html('<p>Refund &amp; <b>return</b></p>')).toBe('Refund & return');
      expect(html('<p>\n  Pricing for the &lt;enterprise&gt; tier\n</p>')).toBe('Pricing for the <enterprise> tier');
      expect(html('&quot;Urgent&quot;&nbsp;billing')).toBe('"Urgent" billing');
      expect(html('Can&#39;t log in')).toBe("Can't log in");
    });

    it('falls back to the title when the subject is only markup', () => {
      for (const empty of ['<p></p>', '<p> </p>', '<br>', '&nbsp;', '<p>\n</p>', '']) expect(html(empty, '<i>Order</i> help')).toBe('Order help');
      expect(html('<p></p>')).toBeNull();
    });
  });
});

describe('htmlToText', () => {
  it('decodes decimal and hex character references', () => {
    expect(htmlToText('caf&#233; &#x1F600; &#X41;')).toBe('café 😀 A');
  });

  it('leaves invalid references and unknown entities as written', () => {
    expect(htmlToText('&#0; &#xD800; &#99999999; &bogus; & alone')).toBe('&#0; &#xD800; &#99999999; &bogus; & alone');
  });

  it('decodes once: an escaped entity stays an entity, escaped tags stay text', () => {
    expect(htmlToText('&amp;lt;b&amp;gt;')).toBe('&lt;b&gt;');
    expect(htmlToText('&lt;b&gt;bold&lt;/b&gt;')).toBe('<b>bold</b>');
  });

  it('separates words at block boundaries but not at inline tags', () => {
    expect(htmlToText('<p>one</p><p>two</p>three<br/>four<div>five</div>')).toBe('one two three four five');
    expect(htmlToText('un<b>break</b>able')).toBe('unbreakable');
  });

  it('drops comments and attributes, keeps a lone "<"', () => {
    expect(htmlToText('<!-- x --><a href="https://x.test/?a=1&amp;b=2">link</a> 1 < 2')).toBe('link 1 < 2');
  });

  it('cleanText collapses whitespace and maps empty to null', () => {
    expect(cleanText('  a \n b  ')).toBe('a b');
    expect(cleanText('   ')).toBeNull();
    expect(cleanText(undefined)).toBeNull();
  });
});
