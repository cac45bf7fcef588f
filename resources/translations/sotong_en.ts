<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
    <context>
        <name>AccountTableModel</name>
        <message>
            <source>Channel</source>
            <extracomment>Account id (str). An :class:`AccountState` value (str). The account's raw ``last_error`` code, or None. True when the account needs a token this PC's keyring does not hold. Keys that mean someone is about to put a secret into the (plain, synced) settings.</extracomment>
            <translation>Channel</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>State</source>
            <translation>State</translation>
        </message>
        <message>
            <source>Last problem</source>
            <translation>Last problem</translation>
        </message>
        <message>
            <source>Last received</source>
            <translation>Last received</translation>
        </message>
        <message>
            <source>%1 malformed or unsupported items left out (last: %2)</source>
            <translation>%1 malformed or unsupported items left out (last: %2)</translation>
        </message>
        <message>
            <source>Connector: %1</source>
            <translation>Connector: %1</translation>
        </message>
        <message>
            <source>Billed per request: about %1 reads a month at this polling interval</source>
            <translation>Billed per request: about %1 reads a month at this polling interval</translation>
        </message>
        <message>
            <source>Not yet</source>
            <translation>Not yet</translation>
        </message>
    </context>
    <context>
        <name>AccountsPanel</name>
        <message>
            <source>Add…</source>
            <translation>Add…</translation>
        </message>
        <message>
            <source>Reconnect…</source>
            <translation>Reconnect…</translation>
        </message>
        <message>
            <source>Enter a new token or password</source>
            <translation>Enter a new token or password</translation>
        </message>
        <message>
            <source>Test connection</source>
            <translation>Test connection</translation>
        </message>
        <message>
            <source>Pause</source>
            <translation>Pause</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Remove</translation>
        </message>
        <message>
            <source>Changes here take effect at once. Tokens and passwords are kept only in this PC's secure password store.</source>
            <translation>Changes here take effect at once. Tokens and passwords are kept only in this PC's secure password store.</translation>
        </message>
        <message>
            <source>Only an administrator can connect, pause or remove channel accounts.</source>
            <translation>Only an administrator can connect, pause or remove channel accounts.</translation>
        </message>
        <message>
            <source>Enter token…</source>
            <translation>Enter token…</translation>
        </message>
        <message>
            <source>Resume</source>
            <translation>Resume</translation>
        </message>
        <message>
            <source>Account added.</source>
            <translation>Account added.</translation>
        </message>
        <message>
            <source>New token saved.</source>
            <translation>New token saved.</translation>
        </message>
        <message>
            <source>Token saved on this PC.</source>
            <translation>Token saved on this PC.</translation>
        </message>
        <message>
            <source>Testing %1…</source>
            <translation>Testing %1…</translation>
        </message>
        <message>
            <source>Remove “%1”? Sotong stops checking this account and forgets its token on this PC. Its conversations are kept.</source>
            <translation>Remove “%1”? Sotong stops checking this account and forgets its token on this PC. Its conversations are kept.</translation>
        </message>
        <message>
            <source>Remove account</source>
            <translation>Remove account</translation>
        </message>
    </context>
    <context>
        <name>AddAccountDialog</name>
        <message>
            <source>Add a channel account</source>
            <translation>Add a channel account</translation>
        </message>
        <message>
            <source>As staff will see it, e.g. 소통의원 Facebook</source>
            <translation>As staff will see it, e.g. 소통의원 Facebook</translation>
        </message>
        <message>
            <source>One setting per line, KEY=VALUE, for example
base_url=https://…</source>
            <translation>One setting per line, KEY=VALUE, for example
base_url=https://…</translation>
        </message>
        <message>
            <source>Kept only in this PC's password store</source>
            <translation>Kept only in this PC's password store</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>Channel</translation>
        </message>
        <message>
            <source>Connector</source>
            <translation>Connector</translation>
        </message>
        <message>
            <source>Display name</source>
            <translation>Display name</translation>
        </message>
        <message>
            <source>Id on the channel</source>
            <translation>Id on the channel</translation>
        </message>
        <message>
            <source>Connector settings</source>
            <translation>Connector settings</translation>
        </message>
        <message>
            <source>Token or password</source>
            <translation>Token or password</translation>
        </message>
        <message>
            <source>Page id</source>
            <translation>Page id</translation>
        </message>
        <message>
            <source>Instagram account id</source>
            <translation>Instagram account id</translation>
        </message>
        <message>
            <source>Account name, e.g. @sotong_clinic</source>
            <translation>Account name, e.g. @sotong_clinic</translation>
        </message>
        <message>
            <source>Bot name, e.g. @sotong_bot</source>
            <translation>Bot name, e.g. @sotong_bot</translation>
        </message>
        <message>
            <source>E-mail address</source>
            <translation>E-mail address</translation>
        </message>
        <message>
            <source>Phone number</source>
            <translation>Phone number</translation>
        </message>
        <message>
            <source>Channel or account id on the network</source>
            <translation>Channel or account id on the network</translation>
        </message>
        <message>
            <source>Enter a display name.</source>
            <translation>Enter a display name.</translation>
        </message>
        <message>
            <source>Enter the account's id on the channel (page id, bot name, address…).</source>
            <translation>Enter the account's id on the channel (page id, bot name, address…).</translation>
        </message>
        <message>
            <source>Line %1 of the connector settings is not in the form KEY=VALUE.</source>
            <translation>Line %1 of the connector settings is not in the form KEY=VALUE.</translation>
        </message>
        <message>
            <source>Put tokens and passwords in the password field, not in the connector settings.</source>
            <translation>Put tokens and passwords in the password field, not in the connector settings.</translation>
        </message>
        <message>
            <source>This version of Sotong has no connectors.</source>
            <translation>This version of Sotong has no connectors.</translation>
        </message>
    </context>
    <context>
        <name>CannedPanel</name>
        <message>
            <source>e.g. 강남점</source>
            <extracomment>Asks what to do with unsaved edits: :data:`SAVE`, :data:`DISCARD` or :data:`CANCEL`. (title, shortcut, text) as last shown or saved: the edits are what differs.</extracomment>
            <translation>e.g. 강남점</translation>
        </message>
        <message>
            <source>One word to find it by, e.g. 예약</source>
            <translation>One word to find it by, e.g. 예약</translation>
        </message>
        <message>
            <source>Placeholders: %1 — the customer's name, the branch, the assignee (else whoever writes the reply).</source>
            <translation>Placeholders: %1 — the customer's name, the branch, the assignee (else whoever writes the reply).</translation>
        </message>
        <message>
            <source>Your role may use these responses but not change them.</source>
            <translation>Your role may use these responses but not change them.</translation>
        </message>
        <message>
            <source>New</source>
            <translation>New</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>Save</translation>
        </message>
        <message>
            <source>Up</source>
            <translation>Up</translation>
        </message>
        <message>
            <source>Down</source>
            <translation>Down</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>Delete</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>Title</translation>
        </message>
        <message>
            <source>Shortcut</source>
            <translation>Shortcut</translation>
        </message>
        <message>
            <source>Text</source>
            <translation>Text</translation>
        </message>
        <message>
            <source>Preview</source>
            <translation>Preview</translation>
        </message>
        <message>
            <source>Branch name ({지점})</source>
            <translation>Branch name ({지점})</translation>
        </message>
        <message>
            <source>“%1” has changes that are not saved.</source>
            <translation>“%1” has changes that are not saved.</translation>
        </message>
        <message>
            <source>The new response is not saved.</source>
            <translation>The new response is not saved.</translation>
        </message>
        <message>
            <source>Unsaved changes</source>
            <translation>Unsaved changes</translation>
        </message>
        <message>
            <source>Save them before moving on?</source>
            <translation>Save them before moving on?</translation>
        </message>
        <message>
            <source>Discard</source>
            <translation>Discard</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>Saved.</source>
            <translation>Saved.</translation>
        </message>
        <message>
            <source>Delete the response “%1”?</source>
            <translation>Delete the response “%1”?</translation>
        </message>
        <message>
            <source>Delete response</source>
            <translation>Delete response</translation>
        </message>
    </context>
    <context>
        <name>CannedPicker</name>
        <message>
            <source>Find a canned response…</source>
            <extracomment>The response's id (str).</extracomment>
            <translation>Find a canned response…</translation>
        </message>
        <message>
            <source>No canned response matches.</source>
            <translation>No canned response matches.</translation>
        </message>
    </context>
    <context>
        <name>CannedTexts</name>
        <message>
            <source>Give the response a title of 1 to 120 characters.</source>
            <extracomment>The response's id (str). The sample customer the preview fills in. Answers to "save the changes?": save them, drop them, or stay on the response.</extracomment>
            <translation>Give the response a title of 1 to 120 characters.</translation>
        </message>
        <message>
            <source>Write the response's text (at most 20,000 characters).</source>
            <translation>Write the response's text (at most 20,000 characters).</translation>
        </message>
        <message>
            <source>A shortcut is one word, without spaces.</source>
            <translation>A shortcut is one word, without spaces.</translation>
        </message>
        <message>
            <source>A shortcut has at most 40 characters.</source>
            <translation>A shortcut has at most 40 characters.</translation>
        </message>
        <message>
            <source>The branch name has at most 40 characters, on one line.</source>
            <translation>The branch name has at most 40 characters, on one line.</translation>
        </message>
        <message>
            <source>Unknown placeholders, left as written: %1</source>
            <translation>Unknown placeholders, left as written: %1</translation>
        </message>
        <message>
            <source>No value yet for: %1</source>
            <translation>No value yet for: %1</translation>
        </message>
    </context>
    <context>
        <name>ContactPanel</name>
        <message>
            <source>Open a conversation to see who the customer is.</source>
            <translation>Open a conversation to see who the customer is.</translation>
        </message>
        <message>
            <source>Contact</source>
            <translation>Contact</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>The name staff know this customer by</source>
            <translation>The name staff know this customer by</translation>
        </message>
        <message>
            <source>Notes</source>
            <translation>Notes</translation>
        </message>
        <message>
            <source>Notes for colleagues; never sent</source>
            <translation>Notes for colleagues; never sent</translation>
        </message>
        <message>
            <source>Channels</source>
            <translation>Channels</translation>
        </message>
        <message>
            <source>Merge…</source>
            <translation>Merge…</translation>
        </message>
        <message>
            <source>Join another contact into this one: the same person on another channel</source>
            <translation>Join another contact into this one: the same person on another channel</translation>
        </message>
        <message>
            <source>Conversations on every channel</source>
            <translation>Conversations on every channel</translation>
        </message>
        <message>
            <source>Split off a channel</source>
            <translation>Split off a channel</translation>
        </message>
        <message numerus="yes">
            <source>%1 on %2 and its %n conversation(s) will become a separate contact. “%3” keeps the other channels. You can merge them again at any time.</source>
            <translation>
                <numerusform>%1 on %2 and its %n conversation will become a separate contact. “%3” keeps the other channels. You can merge them again at any time.</numerusform>
                <numerusform>%1 on %2 and its %n conversations will become a separate contact. “%3” keeps the other channels. You can merge them again at any time.</numerusform>
            </translation>
        </message>
        <message>
            <source>Split</source>
            <translation>Split</translation>
        </message>
    </context>
    <context>
        <name>ConversationDelegate</name>
        <message>
            <source>Changed on 2 PCs</source>
            <translation>Changed on 2 PCs</translation>
        </message>
        <message>
            <source>Conflict</source>
            <translation>Conflict</translation>
        </message>
        <message>
            <source>Not sent</source>
            <translation>Not sent</translation>
        </message>
        <message numerus="yes">
            <source>%n to send</source>
            <translation>
                <numerusform>%n to send</numerusform>
                <numerusform>%n to send</numerusform>
            </translation>
        </message>
        <message>
            <source>Draft</source>
            <translation>Draft</translation>
        </message>
    </context>
    <context>
        <name>ConversationListModel</name>
        <message>
            <source>%1 · auto</source>
            <extracomment>Conversation id (str). Channel kind (str). Contact display name (str). Last message, one line (str). Department code, or "" when untriaged. Department chip text ("성형외과", or "미분류" when untriaged). Department colour (hex), or "" when untriaged. Time text at the right of the row: waiting time, or when the last message came. Minutes the customer has waited, or -1 if the clinic answered last. Unread inbound messages (bool). The operator has a draft here (bool). Replies queued or sending (int). Replies failed or with an unknown outcome (int). Conversation status (str). Assignee operator id, or "". False while the row is a placeholder (not read yet, or gone). The whole :class:`ConversationRow`, or None. ``(start, end)`` offsets of the searched words in the SnippetRole text (tuple, maybe empty). ``(start, end)`` offsets of the searched words in the contact name. A draft here has a conflict copy: two PCs changed it at once (bool). True while the customer has waited at least the SLA target (business time). A field edit made on this PC was overwritten by a concurrent edit on another PC (bool). After a change, a search in force is run again this much later (bursts make one search).</extracomment>
            <translation>%1 · auto</translation>
        </message>
        <message>
            <source>%1 · %2?</source>
            <translation>%1 · %2?</translation>
        </message>
        <message>
            <source>changed on another PC at the same time</source>
            <translation>changed on another PC at the same time</translation>
        </message>
    </context>
    <context>
        <name>Dashboard</name>
        <message>
            <source>%1 min</source>
            <extracomment>Changes are gathered this long before the figures are computed again. While shown, the figures are computed again this often (waiting times move on). Periods the tables and the department chart can show. A link: the list it opens and the title the list gets.</extracomment>
            <translation>%1 min</translation>
        </message>
        <message>
            <source>%1 h %2 min</source>
            <translation>%1 h %2 min</translation>
        </message>
        <message>
            <source>%1 d %2 h</source>
            <translation>%1 d %2 h</translation>
        </message>
    </context>
    <context>
        <name>DashboardWindow</name>
        <message>
            <source>Dashboard — Sotong</source>
            <translation>Dashboard — Sotong</translation>
        </message>
        <message>
            <source>Clinic dashboard</source>
            <translation>Clinic dashboard</translation>
        </message>
        <message>
            <source>Today</source>
            <translation>Today</translation>
        </message>
        <message>
            <source>Last 7 days</source>
            <translation>Last 7 days</translation>
        </message>
        <message>
            <source>Last 30 days</source>
            <translation>Last 30 days</translation>
        </message>
        <message>
            <source>Period of the times in the tables and the chart</source>
            <translation>Period of the times in the tables and the chart</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>Open</translation>
        </message>
        <message>
            <source>Unassigned</source>
            <translation>Unassigned</translation>
        </message>
        <message>
            <source>Untriaged</source>
            <translation>Untriaged</translation>
        </message>
        <message>
            <source>Waiting for a reply</source>
            <translation>Waiting for a reply</translation>
        </message>
        <message>
            <source>Past the target now</source>
            <translation>Past the target now</translation>
        </message>
        <message>
            <source>Longest wait</source>
            <translation>Longest wait</translation>
        </message>
        <message>
            <source>1st reply, median today</source>
            <translation>1st reply, median today</translation>
        </message>
        <message>
            <source>Resolved, median today</source>
            <translation>Resolved, median today</translation>
        </message>
        <message>
            <source>SLA breaches today</source>
            <translation>SLA breaches today</translation>
        </message>
        <message>
            <source>Replies sent today</source>
            <translation>Replies sent today</translation>
        </message>
        <message>
            <source>By department</source>
            <translation>By department</translation>
        </message>
        <message>
            <source>By channel</source>
            <translation>By channel</translation>
        </message>
        <message>
            <source>Trends</source>
            <translation>Trends</translation>
        </message>
        <message>
            <source>Staff</source>
            <translation>Staff</translation>
        </message>
        <message>
            <source>Customer messages per day (30 days)</source>
            <translation>Customer messages per day (30 days)</translation>
        </message>
        <message>
            <source>Customer messages by hour of day (7 days)</source>
            <translation>Customer messages by hour of day (7 days)</translation>
        </message>
        <message>
            <source>First-reply time by department</source>
            <translation>First-reply time by department</translation>
        </message>
        <message>
            <source>Updated %1</source>
            <translation>Updated %1</translation>
        </message>
        <message>
            <source>90%: %1</source>
            <translation>90%: %1</translation>
        </message>
        <message>
            <source>%1 late replies</source>
            <translation>%1 late replies</translation>
        </message>
        <message>
            <source>Messages</source>
            <translation>Messages</translation>
        </message>
        <message>
            <source>messages</source>
            <translation>messages</translation>
        </message>
        <message>
            <source>Median</source>
            <translation>Median</translation>
        </message>
        <message>
            <source>90%</source>
            <translation>90%</translation>
        </message>
        <message>
            <source>reply time (min)</source>
            <translation>reply time (min)</translation>
        </message>
    </context>
    <context>
        <name>DaysModel</name>
        <message>
            <source>Closed</source>
            <translation>Closed</translation>
        </message>
        <message>
            <source>Open (public holiday)</source>
            <translation>Open (public holiday)</translation>
        </message>
    </context>
    <context>
        <name>DraftConflictBar</name>
        <message>
            <source>View other version</source>
            <translation>View other version</translation>
        </message>
        <message>
            <source>Show or hide the other version (Alt+V)</source>
            <translation>Show or hide the other version (Alt+V)</translation>
        </message>
        <message>
            <source>Use it</source>
            <translation>Use it</translation>
        </message>
        <message>
            <source>Put the other version in the composer; your current text becomes the other version (Alt+U)</source>
            <translation>Put the other version in the composer; your current text becomes the other version (Alt+U)</translation>
        </message>
        <message>
            <source>Discard</source>
            <translation>Discard</translation>
        </message>
        <message>
            <source>Throw the other version away (Alt+X)</source>
            <translation>Throw the other version away (Alt+X)</translation>
        </message>
        <message>
            <source>Your draft was also changed on another PC at %1. The other version is kept.</source>
            <translation>Your draft was also changed on another PC at %1. The other version is kept.</translation>
        </message>
    </context>
    <context>
        <name>ExpiredBanner</name>
        <message>
            <source>Reconnect…</source>
            <translation>Reconnect…</translation>
        </message>
    </context>
    <context>
        <name>FieldConflictBar</name>
        <message>
            <source>Restore my value</source>
            <translation>Restore my value</translation>
        </message>
        <message>
            <source>Set it back to the value chosen on this PC; other PCs get it too (Alt+R)</source>
            <translation>Set it back to the value chosen on this PC; other PCs get it too (Alt+R)</translation>
        </message>
        <message>
            <source>OK</source>
            <translation>OK</translation>
        </message>
        <message>
            <source>Keep the value that was applied (Alt+O)</source>
            <translation>Keep the value that was applied (Alt+O)</translation>
        </message>
        <message>
            <source>PC “%1”</source>
            <translation>PC “%1”</translation>
        </message>
        <message>
            <source>Another PC</source>
            <translation>Another PC</translation>
        </message>
        <message>
            <source>%1 put the label “%2” on at the same time. What you did: took it off</source>
            <translation>%1 put the label “%2” on at the same time. What you did: took it off</translation>
        </message>
        <message>
            <source>%1 took the label “%2” off at the same time. What you did: put it on</source>
            <translation>%1 took the label “%2” off at the same time. What you did: put it on</translation>
        </message>
        <message>
            <source>%3 changed the department at the same time, and its value (%1) was applied. Your choice: %2</source>
            <translation>%3 changed the department at the same time, and its value (%1) was applied. Your choice: %2</translation>
        </message>
        <message>
            <source>%3 changed the assignee at the same time, and its value (%1) was applied. Your choice: %2</source>
            <translation>%3 changed the assignee at the same time, and its value (%1) was applied. Your choice: %2</translation>
        </message>
        <message>
            <source>%3 changed the status at the same time, and its value (%1) was applied. Your choice: %2</source>
            <translation>%3 changed the status at the same time, and its value (%1) was applied. Your choice: %2</translation>
        </message>
        <message>
            <source>%3 changed the priority at the same time, and its value (%1) was applied. Your choice: %2</source>
            <translation>%3 changed the priority at the same time, and its value (%1) was applied. Your choice: %2</translation>
        </message>
        <message>
            <source>%3 changed the snooze time at the same time, and its value (%1) was applied. Your choice: %2</source>
            <translation>%3 changed the snooze time at the same time, and its value (%1) was applied. Your choice: %2</translation>
        </message>
        <message>
            <source>%3 changed the customer at the same time, and its value (%1) was applied. Your choice: %2</source>
            <translation>%3 changed the customer at the same time, and its value (%1) was applied. Your choice: %2</translation>
        </message>
        <message>
            <source>%3 changed this conversation at the same time, and its value (%1) was applied. Your choice: %2</source>
            <translation>%3 changed this conversation at the same time, and its value (%1) was applied. Your choice: %2</translation>
        </message>
        <message>
            <source>nobody</source>
            <translation>nobody</translation>
        </message>
        <message>
            <source>someone else</source>
            <translation>someone else</translation>
        </message>
        <message>
            <source>none</source>
            <translation>none</translation>
        </message>
        <message>
            <source>another customer</source>
            <translation>another customer</translation>
        </message>
    </context>
    <context>
        <name>GroupTableModel</name>
        <message>
            <source>Open</source>
            <extracomment>The item role holding a cell's :data:`Link` (or None).</extracomment>
            <translation>Open</translation>
        </message>
        <message>
            <source>Unassigned</source>
            <translation>Unassigned</translation>
        </message>
        <message>
            <source>Waiting</source>
            <translation>Waiting</translation>
        </message>
        <message>
            <source>Past
target</source>
            <translation>Past
target</translation>
        </message>
        <message>
            <source>Longest
wait</source>
            <translation>Longest
wait</translation>
        </message>
        <message>
            <source>Breaches
today</source>
            <translation>Breaches
today</translation>
        </message>
        <message>
            <source>New</source>
            <translation>New</translation>
        </message>
        <message>
            <source>1st reply
median</source>
            <translation>1st reply
median</translation>
        </message>
        <message>
            <source>1st reply
90%</source>
            <translation>1st reply
90%</translation>
        </message>
        <message>
            <source>Resolved
median</source>
            <translation>Resolved
median</translation>
        </message>
        <message>
            <source>Resolved
90%</source>
            <translation>Resolved
90%</translation>
        </message>
        <message>
            <source>Department</source>
            <translation>Department</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>Channel</translation>
        </message>
        <message>
            <source>Show these conversations (Enter)</source>
            <translation>Show these conversations (Enter)</translation>
        </message>
    </context>
    <context>
        <name>HandOffDialog</name>
        <message>
            <source>Hand off</source>
            <translation>Hand off</translation>
        </message>
        <message>
            <source>%1 (off duty)</source>
            <translation>%1 (off duty)</translation>
        </message>
        <message>
            <source>What they need to know (private: the customer never sees it)</source>
            <translation>What they need to know (private: the customer never sees it)</translation>
        </message>
        <message>
            <source>Hand to</source>
            <translation>Hand to</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Note</translation>
        </message>
    </context>
    <context>
        <name>IdentityRow</name>
        <message numerus="yes">
            <source>%1 · %n conversation(s)</source>
            <extracomment>Conversation id (str). Channel kind (str). Department chip text (str). Department colour (hex) or "" when untriaged. Status and date, one line (str). Contact id (str), in the merge picker. The second line of a merge candidate: channels and handles, or why it is suggested.</extracomment>
            <translation>
                <numerusform>%1 · %n conversation</numerusform>
                <numerusform>%1 · %n conversations</numerusform>
            </translation>
        </message>
        <message>
            <source>Split</source>
            <translation>Split</translation>
        </message>
        <message>
            <source>Make %1 a contact of its own, with its conversations</source>
            <translation>Make %1 a contact of its own, with its conversations</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Sotong</source>
            <extracomment>The account error that the banner over the conversations reports. The ``last_error`` of an account whose token the leader's keyring lacks. The saved search the list shows, if it shows one. The managers' dashboard, once opened (Ctrl+D).</extracomment>
            <translation>Sotong</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>Settings</translation>
        </message>
        <message>
            <source>Language, who uses this PC (Ctrl+,)</source>
            <translation>Language, who uses this PC (Ctrl+,)</translation>
        </message>
        <message>
            <source>Signed in as %1</source>
            <translation>Signed in as %1</translation>
        </message>
        <message>
            <source>No member of staff chosen</source>
            <translation>No member of staff chosen</translation>
        </message>
        <message>
            <source>Search names and messages  ( / )</source>
            <translation>Search names and messages  ( / )</translation>
        </message>
        <message>
            <source>Latest activity</source>
            <translation>Latest activity</translation>
        </message>
        <message>
            <source>Longest waiting</source>
            <translation>Longest waiting</translation>
        </message>
        <message>
            <source>No conversations here.</source>
            <translation>No conversations here.</translation>
        </message>
        <message>
            <source>On duty</source>
            <translation>On duty</translation>
        </message>
        <message>
            <source>Off duty</source>
            <translation>Off duty</translation>
        </message>
        <message>
            <source>Auto-assignment gives you conversations while you are on duty (Ctrl+Shift+D)</source>
            <translation>Auto-assignment gives you conversations while you are on duty (Ctrl+Shift+D)</translation>
        </message>
        <message>
            <source>Searching…</source>
            <translation>Searching…</translation>
        </message>
        <message>
            <source>More than %1 found</source>
            <translation>More than %1 found</translation>
        </message>
        <message numerus="yes">
            <source>%n found</source>
            <translation>
                <numerusform>%n found</numerusform>
                <numerusform>%n found</numerusform>
            </translation>
        </message>
        <message>
            <source>Department</source>
            <translation>Department</translation>
        </message>
        <message>
            <source>%1 (me)</source>
            <translation>%1 (me)</translation>
        </message>
        <message>
            <source>Unassign</source>
            <translation>Unassign</translation>
        </message>
        <message>
            <source>No channels connected</source>
            <translation>No channels connected</translation>
        </message>
        <message>
            <source>Channels checked by the leader</source>
            <translation>Channels checked by the leader</translation>
        </message>
        <message>
            <source>Connecting…</source>
            <translation>Connecting…</translation>
        </message>
        <message>
            <source>● Online</source>
            <translation>● Online</translation>
        </message>
        <message>
            <source>● Offline: replies wait on this PC</source>
            <translation>● Offline: replies wait on this PC</translation>
        </message>
        <message numerus="yes">
            <source>%n replies waiting to send</source>
            <translation>
                <numerusform>%n reply waiting to send</numerusform>
                <numerusform>%n replies waiting to send</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n not sent</source>
            <translation>
                <numerusform>%n not sent</numerusform>
                <numerusform>%n not sent</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n to check</source>
            <translation>
                <numerusform>%n to check</numerusform>
                <numerusform>%n to check</numerusform>
            </translation>
        </message>
        <message>
            <source>A reply to check may or may not have reached the customer (the channel's answer was lost): open its conversation and look before sending it again.</source>
            <translation>A reply to check may or may not have reached the customer (the channel's answer was lost): open its conversation and look before sending it again.</translation>
        </message>
        <message>
            <source>Last received %1</source>
            <translation>Last received %1</translation>
        </message>
        <message>
            <source>Nothing received yet</source>
            <translation>Nothing received yet</translation>
        </message>
        <message>
            <source>Account problem: %1</source>
            <translation>Account problem: %1</translation>
        </message>
        <message>
            <source>Clinic server: connecting…</source>
            <translation>Clinic server: connecting…</translation>
        </message>
        <message>
            <source>● Clinic server online</source>
            <translation>● Clinic server online</translation>
        </message>
        <message>
            <source>● Clinic server offline: changes wait on this PC</source>
            <translation>● Clinic server offline: changes wait on this PC</translation>
        </message>
        <message>
            <source>Synced %1</source>
            <translation>Synced %1</translation>
        </message>
        <message>
            <source>Not synced yet</source>
            <translation>Not synced yet</translation>
        </message>
        <message numerus="yes">
            <source>%n changes not sent</source>
            <translation>
                <numerusform>%n changes not sent</numerusform>
                <numerusform>%n changes not sent</numerusform>
            </translation>
        </message>
        <message>
            <source>Leader: this PC</source>
            <translation>Leader: this PC</translation>
        </message>
        <message>
            <source>Leader: %1</source>
            <translation>Leader: %1</translation>
        </message>
        <message>
            <source>Leader: none</source>
            <translation>Leader: none</translation>
        </message>
        <message>
            <source>The leader checks the channels and sends the replies of every PC.</source>
            <translation>The leader checks the channels and sends the replies of every PC.</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>Save</translation>
        </message>
        <message>
            <source>Keep this search in the navigation pane (Ctrl+Shift+S)</source>
            <translation>Keep this search in the navigation pane (Ctrl+Shift+S)</translation>
        </message>
        <message>
            <source>Dashboard: queues, response times and trends (Ctrl+D)</source>
            <translation>Dashboard: queues, response times and trends (Ctrl+D)</translation>
        </message>
        <message>
            <source>Dashboard</source>
            <translation>Dashboard</translation>
        </message>
    </context>
    <context>
        <name>MergeDialog</name>
        <message>
            <source>Merge contacts</source>
            <translation>Merge contacts</translation>
        </message>
        <message>
            <source>Who is the same person as “%1”?</source>
            <translation>Who is the same person as “%1”?</translation>
        </message>
        <message>
            <source>Search by name, phone number or handle</source>
            <translation>Search by name, phone number or handle</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>Next…</source>
            <translation>Next…</translation>
        </message>
        <message>
            <source>Back</source>
            <translation>Back</translation>
        </message>
        <message>
            <source>Merge</source>
            <translation>Merge</translation>
        </message>
        <message>
            <source>Likely the same person:</source>
            <translation>Likely the same person:</translation>
        </message>
        <message>
            <source>No likely duplicates.</source>
            <translation>No likely duplicates.</translation>
        </message>
        <message>
            <source>Same phone number %1</source>
            <translation>Same phone number %1</translation>
        </message>
        <message>
            <source>Same e-mail address %1</source>
            <translation>Same e-mail address %1</translation>
        </message>
        <message>
            <source>Same name on another channel</source>
            <translation>Same name on another channel</translation>
        </message>
        <message>
            <source>No contact matches.</source>
            <translation>No contact matches.</translation>
        </message>
        <message numerus="yes">
            <source>“%1” (%2) will be merged into “%3”.

Its channel accounts and %n conversation(s) move to “%3”, and its notes are added to “%3”'s. “%1” no longer appears as a separate contact.

If this was a mistake, split the channel off again with “Split”.</source>
            <translation>
                <numerusform>“%1” (%2) will be merged into “%3”.

Its channel accounts and %n conversation move to “%3”, and its notes are added to “%3”'s. “%1” no longer appears as a separate contact.

If this was a mistake, split the channel off again with “Split”.</numerusform>
                <numerusform>“%1” (%2) will be merged into “%3”.

Its channel accounts and %n conversations move to “%3”, and its notes are added to “%3”'s. “%1” no longer appears as a separate contact.

If this was a mistake, split the channel off again with “Split”.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>MessageBar</name>
        <message>
            <source>Dismiss</source>
            <translation>Dismiss</translation>
        </message>
    </context>
    <context>
        <name>NavigationModel</name>
        <message>
            <source>Saved searches</source>
            <extracomment>The entry's :class:`View` value (str), or "" for a heading. Department code or channel kind for those views, else "". The number of conversations, or -1 while unknown. Colour (hex) of a department entry, else "". True for the non-selectable section headings. Channel kind whose icon the entry shows, else "". True for a saved search shared with the whole clinic. Waiting conversations past their SLA target (departments, untriaged, all open), else 0. The ViewRole of a saved search entry (its ValueRole is the saved search's id).</extracomment>
            <translation>Saved searches</translation>
        </message>
        <message>
            <source>Shared with everyone</source>
            <translation>Shared with everyone</translation>
        </message>
        <message>
            <source>Only you</source>
            <translation>Only you</translation>
        </message>
    </context>
    <context>
        <name>OperatorTableModel</name>
        <message>
            <source>Staff</source>
            <translation>Staff</translation>
        </message>
        <message>
            <source>On duty</source>
            <translation>On duty</translation>
        </message>
        <message>
            <source>Assigned open</source>
            <translation>Assigned open</translation>
        </message>
        <message>
            <source>Replies today</source>
            <translation>Replies today</translation>
        </message>
        <message>
            <source>Yes</source>
            <translation>Yes</translation>
        </message>
        <message>
            <source>No</source>
            <translation>No</translation>
        </message>
        <message>
            <source>Assigned to %1</source>
            <translation>Assigned to %1</translation>
        </message>
    </context>
    <context>
        <name>ReconnectDialog</name>
        <message>
            <source>Reconnect %1</source>
            <translation>Reconnect %1</translation>
        </message>
        <message>
            <source>Enter the token of %1</source>
            <translation>Enter the token of %1</translation>
        </message>
        <message>
            <source>This PC has no token for “%1” (it was connected on another computer). Enter it to keep it in this PC's password store; it never leaves this PC.</source>
            <translation>This PC has no token for “%1” (it was connected on another computer). Enter it to keep it in this PC's password store; it never leaves this PC.</translation>
        </message>
        <message>
            <source>Enter the new token or password for “%1”. Conversations and settings stay as they are.</source>
            <translation>Enter the new token or password for “%1”. Conversations and settings stay as they are.</translation>
        </message>
        <message>
            <source>Token or password</source>
            <translation>Token or password</translation>
        </message>
        <message>
            <source>Enter the new token or password.</source>
            <translation>Enter the new token or password.</translation>
        </message>
    </context>
    <context>
        <name>RoutingPanel</name>
        <message>
            <source>Add…</source>
            <extracomment>Opens the rule editor; tests replace it to fill the dialog themselves.</extracomment>
            <translation>Add…</translation>
        </message>
        <message>
            <source>Edit…</source>
            <translation>Edit…</translation>
        </message>
        <message>
            <source>Up</source>
            <translation>Up</translation>
        </message>
        <message>
            <source>Try this rule earlier (Alt+Up)</source>
            <translation>Try this rule earlier (Alt+Up)</translation>
        </message>
        <message>
            <source>Down</source>
            <translation>Down</translation>
        </message>
        <message>
            <source>Try this rule later (Alt+Down)</source>
            <translation>Try this rule later (Alt+Down)</translation>
        </message>
        <message>
            <source>Turn off</source>
            <translation>Turn off</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>Delete</translation>
        </message>
        <message>
            <source>Rules are tried from the top; the first that matches decides the department. Keys: Enter edits, Space turns on or off, Alt+Up/Down moves, Delete deletes.</source>
            <translation>Rules are tried from the top; the first that matches decides the department. Keys: Enter edits, Space turns on or off, Alt+Up/Down moves, Delete deletes.</translation>
        </message>
        <message>
            <source>Your role may look at the rules but not change them.</source>
            <translation>Your role may look at the rules but not change them.</translation>
        </message>
        <message>
            <source>Automatic sorting</source>
            <translation>Automatic sorting</translation>
        </message>
        <message>
            <source>When no rule matches, the classifier guesses the department. From this confidence on, its guess is applied at once; below it, the guess is only suggested and staff decide. Lower means more automatic sorting and more mistakes; 100% means it only ever suggests. Shared by every PC of the clinic.</source>
            <translation>When no rule matches, the classifier guesses the department. From this confidence on, its guess is applied at once; below it, the guess is only suggested and staff decide. Lower means more automatic sorting and more mistakes; 100% means it only ever suggests. Shared by every PC of the clinic.</translation>
        </message>
        <message>
            <source>Apply automatically from</source>
            <translation>Apply automatically from</translation>
        </message>
        <message>
            <source>Try a message</source>
            <translation>Try a message</translation>
        </message>
        <message>
            <source>Type a message as a customer would write it…</source>
            <translation>Type a message as a customer would write it…</translation>
        </message>
        <message>
            <source>Any channel</source>
            <translation>Any channel</translation>
        </message>
        <message>
            <source>Try</source>
            <translation>Try</translation>
        </message>
        <message>
            <source>Turn on</source>
            <translation>Turn on</translation>
        </message>
        <message>
            <source>Delete the rule “%1”? Conversations it sorted keep their department.</source>
            <translation>Delete the rule “%1”? Conversations it sorted keep their department.</translation>
        </message>
        <message>
            <source>Delete rule</source>
            <translation>Delete rule</translation>
        </message>
        <message>
            <source>Type a message first.</source>
            <translation>Type a message first.</translation>
        </message>
        <message>
            <source>Checking…</source>
            <translation>Checking…</translation>
        </message>
    </context>
    <context>
        <name>RuleDialog</name>
        <message>
            <source>Edit rule</source>
            <translation>Edit rule</translation>
        </message>
        <message>
            <source>New rule</source>
            <translation>New rule</translation>
        </message>
        <message>
            <source>On</source>
            <translation>On</translation>
        </message>
        <message>
            <source>When a new conversation's first message…</source>
            <translation>When a new conversation's first message…</translation>
        </message>
        <message>
            <source>Any account</source>
            <translation>Any account</translation>
        </message>
        <message>
            <source>e.g. 쌍수, 쌍꺼풀, 눈매교정</source>
            <translation>e.g. 쌍수, 쌍꺼풀, 눈매교정</translation>
        </message>
        <message>
            <source>e.g. 실비, 서류</source>
            <translation>e.g. 실비, 서류</translation>
        </message>
        <message>
            <source>e.g. 010-?\d{4}-?\d{4}</source>
            <translation>e.g. 010-?\d{4}-?\d{4}</translation>
        </message>
        <message>
            <source>Handles on the channel, e.g. @minji</source>
            <translation>Handles on the channel, e.g. @minji</translation>
        </message>
        <message>
            <source>comes in on</source>
            <translation>comes in on</translation>
        </message>
        <message>
            <source>through the account</source>
            <translation>through the account</translation>
        </message>
        <message>
            <source>contains any of</source>
            <translation>contains any of</translation>
        </message>
        <message>
            <source>contains all of</source>
            <translation>contains all of</translation>
        </message>
        <message>
            <source>matches the regular expression</source>
            <translation>matches the regular expression</translation>
        </message>
        <message>
            <source>is from the contact</source>
            <translation>is from the contact</translation>
        </message>
        <message>
            <source>…then</source>
            <translation>…then</translation>
        </message>
        <message>
            <source>e.g. 서류, VIP</source>
            <translation>e.g. 서류, VIP</translation>
        </message>
        <message>
            <source>Leave as it is</source>
            <translation>Leave as it is</translation>
        </message>
        <message>
            <source>Nobody (assignment decides)</source>
            <translation>Nobody (assignment decides)</translation>
        </message>
        <message>
            <source>send it to</source>
            <translation>send it to</translation>
        </message>
        <message>
            <source>add labels</source>
            <translation>add labels</translation>
        </message>
        <message>
            <source>set priority</source>
            <translation>set priority</translation>
        </message>
        <message>
            <source>assign to</source>
            <translation>assign to</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>(no longer a member of staff)</source>
            <translation>(no longer a member of staff)</translation>
        </message>
        <message>
            <source>The regular expression is valid.</source>
            <translation>The regular expression is valid.</translation>
        </message>
    </context>
    <context>
        <name>RuleListModel</name>
        <message>
            <source>%1. %2 — not valid, never fires (%3)</source>
            <translation>%1. %2 — not valid, never fires (%3)</translation>
        </message>
        <message>
            <source>(off)</source>
            <translation>(off)</translation>
        </message>
    </context>
    <context>
        <name>RuleTexts</name>
        <message>
            <source>The regular expression is not valid near character %1. Check brackets and special characters such as ( ) [ ] + * ?.</source>
            <extracomment>The rule's id (str). Whether the rule is on (bool). Quiet time after the threshold moves before it is saved. What "try a message" found: the decision, the threshold, who would be assigned, staff names.</extracomment>
            <translation>The regular expression is not valid near character %1. Check brackets and special characters such as ( ) [ ] + * ?.</translation>
        </message>
        <message>
            <source>The regular expression is too long (at most %1 characters).</source>
            <translation>The regular expression is too long (at most %1 characters).</translation>
        </message>
        <message>
            <source>The regular expression could take very long on some messages (nested repetition such as (a+)+). Write it more simply.</source>
            <translation>The regular expression could take very long on some messages (nested repetition such as (a+)+). Write it more simply.</translation>
        </message>
        <message>
            <source>Set at least one condition: a channel, an account, keywords, a pattern or a contact.</source>
            <translation>Set at least one condition: a channel, an account, keywords, a pattern or a contact.</translation>
        </message>
        <message>
            <source>Choose the department the rule sends messages to.</source>
            <translation>Choose the department the rule sends messages to.</translation>
        </message>
        <message>
            <source>A label must be 1 to 40 characters on one line.</source>
            <translation>A label must be 1 to 40 characters on one line.</translation>
        </message>
        <message>
            <source>The assignee is no longer a member of staff. Choose another.</source>
            <translation>The assignee is no longer a member of staff. Choose another.</translation>
        </message>
        <message>
            <source>Another rule already has this name. Choose a different name.</source>
            <translation>Another rule already has this name. Choose a different name.</translation>
        </message>
        <message>
            <source>Give the rule a name of 1 to 80 characters.</source>
            <translation>Give the rule a name of 1 to 80 characters.</translation>
        </message>
        <message>
            <source>The rule's “%1” is not valid.</source>
            <translation>The rule's “%1” is not valid.</translation>
        </message>
        <message>
            <source>Channel: %1</source>
            <translation>Channel: %1</translation>
        </message>
        <message>
            <source>Accounts: %1</source>
            <translation>Accounts: %1</translation>
        </message>
        <message>
            <source>Any of the words: %1</source>
            <translation>Any of the words: %1</translation>
        </message>
        <message>
            <source>All of the words: %1</source>
            <translation>All of the words: %1</translation>
        </message>
        <message>
            <source>Regular expression: %1</source>
            <translation>Regular expression: %1</translation>
        </message>
        <message>
            <source>Contact: %1</source>
            <translation>Contact: %1</translation>
        </message>
        <message>
            <source>Adds labels: %1</source>
            <translation>Adds labels: %1</translation>
        </message>
        <message>
            <source>Sets priority: %1</source>
            <translation>Sets priority: %1</translation>
        </message>
        <message>
            <source>Low</source>
            <translation>Low</translation>
        </message>
        <message>
            <source>Normal</source>
            <translation>Normal</translation>
        </message>
        <message>
            <source>High</source>
            <translation>High</translation>
        </message>
        <message>
            <source>Urgent</source>
            <translation>Urgent</translation>
        </message>
        <message>
            <source>Assigned to %1, as the rule says.</source>
            <translation>Assigned to %1, as the rule says.</translation>
        </message>
        <message>
            <source>Assigned to %1 (in turn among the staff on duty).</source>
            <translation>Assigned to %1 (in turn among the staff on duty).</translation>
        </message>
        <message>
            <source>Assigned to %1 (the fewest open conversations).</source>
            <translation>Assigned to %1 (the fewest open conversations).</translation>
        </message>
        <message>
            <source>Nobody is on duty for %1: it waits unassigned in the queue.</source>
            <translation>Nobody is on duty for %1: it waits unassigned in the queue.</translation>
        </message>
        <message>
            <source>%1 does not assign automatically: it waits unassigned in the queue.</source>
            <translation>%1 does not assign automatically: it waits unassigned in the queue.</translation>
        </message>
        <message>
            <source>This assignee is no longer a member of staff, so the rule does not assign to them.</source>
            <translation>This assignee is no longer a member of staff, so the rule does not assign to them.</translation>
        </message>
        <message>
            <source>This assignee is not in %1, so the rule does not assign to them; %1's own assignment decides.</source>
            <translation>This assignee is not in %1, so the rule does not assign to them; %1's own assignment decides.</translation>
        </message>
        <message>
            <source>This assignee is off duty now. While they are off duty, %1's own assignment decides.</source>
            <translation>This assignee is off duty now. While they are off duty, %1's own assignment decides.</translation>
        </message>
        <message>
            <source>The rule names %1, who is no longer a member of staff: it does not assign to them.</source>
            <translation>The rule names %1, who is no longer a member of staff: it does not assign to them.</translation>
        </message>
        <message>
            <source>The rule names %1, who is not in %2: it does not assign to them.</source>
            <translation>The rule names %1, who is not in %2: it does not assign to them.</translation>
        </message>
        <message>
            <source>The rule names %1, who is off duty now: %2's own assignment decides.</source>
            <translation>The rule names %1, who is off duty now: %2's own assignment decides.</translation>
        </message>
        <message>
            <source>Rule %1 “%2” fires → %3.</source>
            <translation>Rule %1 “%2” fires → %3.</translation>
        </message>
        <message>
            <source>Channel matches: %1</source>
            <translation>Channel matches: %1</translation>
        </message>
        <message>
            <source>Account matches.</source>
            <translation>Account matches.</translation>
        </message>
        <message>
            <source>Contact matches: %1</source>
            <translation>Contact matches: %1</translation>
        </message>
        <message>
            <source>Word found: %1</source>
            <translation>Word found: %1</translation>
        </message>
        <message>
            <source>All words found: %1</source>
            <translation>All words found: %1</translation>
        </message>
        <message>
            <source>Regular expression matched %1</source>
            <translation>Regular expression matched %1</translation>
        </message>
        <message>
            <source> (characters %1–%2)</source>
            <translation> (characters %1–%2)</translation>
        </message>
        <message>
            <source>No rule matches. The classifier proposes %1 (%2 sure).</source>
            <translation>No rule matches. The classifier proposes %1 (%2 sure).</translation>
        </message>
        <message>
            <source>At the threshold of %1 it would be applied automatically.</source>
            <translation>At the threshold of %1 it would be applied automatically.</translation>
        </message>
        <message>
            <source>Below the threshold of %1: it would only be suggested to staff.</source>
            <translation>Below the threshold of %1: it would only be suggested to staff.</translation>
        </message>
    </context>
    <context>
        <name>SaveSearchDialog</name>
        <message>
            <source>Save search</source>
            <extracomment>Asks for a text: ``(title, label, current) -&gt; new text, or None if cancelled``. Asks a yes/no question: ``(title, text) -&gt; yes``. Asks for a new saved search: ``(suggested name, may share) -&gt; (name, shared) or None``.</extracomment>
            <translation>Save search</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Search</source>
            <translation>Search</translation>
        </message>
        <message>
            <source>Share with everyone at the clinic</source>
            <translation>Share with everyone at the clinic</translation>
        </message>
    </context>
    <context>
        <name>SavedSearches</name>
        <message>
            <source>Rename saved search</source>
            <extracomment>The saved search just saved, selected once the list shows it.</extracomment>
            <translation>Rename saved search</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Delete the saved search “%1”? Conversations are not affected.</source>
            <translation>Delete the saved search “%1”? Conversations are not affected.</translation>
        </message>
        <message>
            <source>Delete saved search</source>
            <translation>Delete saved search</translation>
        </message>
        <message>
            <source>Rename…</source>
            <translation>Rename…</translation>
        </message>
        <message>
            <source>Move up</source>
            <translation>Move up</translation>
        </message>
        <message>
            <source>Move down</source>
            <translation>Move down</translation>
        </message>
        <message>
            <source>Delete…</source>
            <translation>Delete…</translation>
        </message>
    </context>
    <context>
        <name>ServerLink</name>
        <message>
            <source>Clinic server</source>
            <extracomment>While the server cannot be reached, try to open it again this often. A sync round this long after the last local change (a burst of edits makes one round). A sync round at least this often, hints or not (a NOTIFY is only a hint). Seconds the hint thread waits for a NOTIFY before looking again. Seconds between a standby's attempts at the leader lock. Where the first-copy dialog opens (the main window sets itself).</extracomment>
            <translation>Clinic server</translation>
        </message>
        <message>
            <source>Continue in the background</source>
            <translation>Continue in the background</translation>
        </message>
        <message>
            <source>Merging this PC's %1 conversations into the clinic server…</source>
            <translation>Merging this PC's %1 conversations into the clinic server…</translation>
        </message>
        <message>
            <source>%1 of %2 conversations</source>
            <translation>%1 of %2 conversations</translation>
        </message>
        <message>
            <source>A copy of this PC's data was saved first. The clinic's other PCs will see these conversations, replies waiting to be sent are sent once by the leader, and then this PC gets the clinic's conversations.</source>
            <translation>A copy of this PC's data was saved first. The clinic's other PCs will see these conversations, replies waiting to be sent are sent once by the leader, and then this PC gets the clinic's conversations.</translation>
        </message>
        <message>
            <source>The demo's %1 practice conversations stay out of the clinic server.</source>
            <translation>The demo's %1 practice conversations stay out of the clinic server.</translation>
        </message>
        <message>
            <source>Copying the clinic's conversations from the clinic server to this PC…</source>
            <translation>Copying the clinic's conversations from the clinic server to this PC…</translation>
        </message>
        <message>
            <source>%1 of %2 rows</source>
            <translation>%1 of %2 rows</translation>
        </message>
        <message>
            <source>You can close this window: the copy goes on in the background. If Sotong is closed before it finishes, it starts again next time. Nothing is lost: changes made on this PC are sent to the server first.</source>
            <translation>You can close this window: the copy goes on in the background. If Sotong is closed before it finishes, it starts again next time. Nothing is lost: changes made on this PC are sent to the server first.</translation>
        </message>
        <message>
            <source>The first copy from the clinic server stopped: the server could not be reached. Sotong tries again; this PC keeps working meanwhile.</source>
            <translation>The first copy from the clinic server stopped: the server could not be reached. Sotong tries again; this PC keeps working meanwhile.</translation>
        </message>
    </context>
    <context>
        <name>ServerPanel</name>
        <message>
            <source>Use the clinic server</source>
            <extracomment>The settings as last saved (what the dialog's OK keeps).</extracomment>
            <translation>Use the clinic server</translation>
        </message>
        <message>
            <source>e.g. 192.168.0.10 or sotong-server</source>
            <translation>e.g. 192.168.0.10 or sotong-server</translation>
        </message>
        <message>
            <source>Off (trusted clinic network only)</source>
            <translation>Off (trusted clinic network only)</translation>
        </message>
        <message>
            <source>Encrypted</source>
            <translation>Encrypted</translation>
        </message>
        <message>
            <source>Encrypted, certificate checked</source>
            <translation>Encrypted, certificate checked</translation>
        </message>
        <message>
            <source>The clinic's CA certificate (.pem, .crt)</source>
            <translation>The clinic's CA certificate (.pem, .crt)</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>Browse…</translation>
        </message>
        <message>
            <source>Server address</source>
            <translation>Server address</translation>
        </message>
        <message>
            <source>Port</source>
            <translation>Port</translation>
        </message>
        <message>
            <source>Database</source>
            <translation>Database</translation>
        </message>
        <message>
            <source>User name</source>
            <translation>User name</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Password</translation>
        </message>
        <message>
            <source>Secure connection (TLS)</source>
            <translation>Secure connection (TLS)</translation>
        </message>
        <message>
            <source>CA file</source>
            <translation>CA file</translation>
        </message>
        <message>
            <source>Test connection</source>
            <translation>Test connection</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>Save</translation>
        </message>
        <message>
            <source>Every PC of the clinic shares conversations, drafts and replies through the clinic server. Without it this PC works alone. The password is kept only in this PC's secure password store.</source>
            <translation>Every PC of the clinic shares conversations, drafts and replies through the clinic server. Without it this PC works alone. The password is kept only in this PC's secure password store.</translation>
        </message>
        <message>
            <source>The clinic's CA certificate</source>
            <translation>The clinic's CA certificate</translation>
        </message>
        <message>
            <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
            <translation>Certificates (*.pem *.crt *.cer);;All files (*)</translation>
        </message>
        <message>
            <source>Saved on this PC; type to replace</source>
            <translation>Saved on this PC; type to replace</translation>
        </message>
        <message>
            <source>Kept only in this PC's password store</source>
            <translation>Kept only in this PC's password store</translation>
        </message>
        <message>
            <source>Connecting to the clinic server…</source>
            <translation>Connecting to the clinic server…</translation>
        </message>
        <message>
            <source>Saved. This PC now works with the clinic server.</source>
            <translation>Saved. This PC now works with the clinic server.</translation>
        </message>
        <message>
            <source>Saved. This PC works alone, without the clinic server.</source>
            <translation>Saved. This PC works alone, without the clinic server.</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <source>Settings</source>
            <extracomment>Language choices: the setting's value and the name shown (languages name themselves). Names of the tabs, for :meth:`SettingsDialog.show_tab`.</extracomment>
            <translation>Settings</translation>
        </message>
        <message>
            <source>Follow the system</source>
            <translation>Follow the system</translation>
        </message>
        <message>
            <source> s</source>
            <translation> s</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>Language</translation>
        </message>
        <message>
            <source>Who uses this PC</source>
            <translation>Who uses this PC</translation>
        </message>
        <message>
            <source>Check channels every</source>
            <translation>Check channels every</translation>
        </message>
        <message>
            <source>General</source>
            <translation>General</translation>
        </message>
        <message>
            <source>Channels</source>
            <translation>Channels</translation>
        </message>
        <message>
            <source>Routing</source>
            <translation>Routing</translation>
        </message>
        <message>
            <source>Canned responses</source>
            <translation>Canned responses</translation>
        </message>
        <message>
            <source>Staff</source>
            <translation>Staff</translation>
        </message>
        <message>
            <source>Clinic server</source>
            <translation>Clinic server</translation>
        </message>
        <message>
            <source>SLA</source>
            <translation>SLA</translation>
        </message>
    </context>
    <context>
        <name>SlaPanel</name>
        <message>
            <source>Response targets (business minutes)</source>
            <translation>Response targets (business minutes)</translation>
        </message>
        <message>
            <source>All departments</source>
            <translation>All departments</translation>
        </message>
        <message>
            <source>All channels</source>
            <translation>All channels</translation>
        </message>
        <message>
            <source> min</source>
            <translation> min</translation>
        </message>
        <message>
            <source>Save target</source>
            <translation>Save target</translation>
        </message>
        <message>
            <source>Remove target</source>
            <translation>Remove target</translation>
        </message>
        <message>
            <source>Department</source>
            <translation>Department</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>Channel</translation>
        </message>
        <message>
            <source>First response within</source>
            <translation>First response within</translation>
        </message>
        <message>
            <source>Next response within</source>
            <translation>Next response within</translation>
        </message>
        <message>
            <source>A channel's own target comes before a department's; the row for all departments and all channels is the clinic default.</source>
            <translation>A channel's own target comes before a department's; the row for all departments and all channels is the clinic default.</translation>
        </message>
        <message>
            <source>Business hours</source>
            <translation>Business hours</translation>
        </message>
        <message>
            <source>Monday</source>
            <translation>Monday</translation>
        </message>
        <message>
            <source>Tuesday</source>
            <translation>Tuesday</translation>
        </message>
        <message>
            <source>Wednesday</source>
            <translation>Wednesday</translation>
        </message>
        <message>
            <source>Thursday</source>
            <translation>Thursday</translation>
        </message>
        <message>
            <source>Friday</source>
            <translation>Friday</translation>
        </message>
        <message>
            <source>Saturday</source>
            <translation>Saturday</translation>
        </message>
        <message>
            <source>Sunday</source>
            <translation>Sunday</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>Open</translation>
        </message>
        <message>
            <source>From</source>
            <translation>From</translation>
        </message>
        <message>
            <source>To</source>
            <translation>To</translation>
        </message>
        <message>
            <source>Lunch break</source>
            <translation>Lunch break</translation>
        </message>
        <message>
            <source>Closed on Korean public holidays</source>
            <translation>Closed on Korean public holidays</translation>
        </message>
        <message>
            <source>Save hours</source>
            <translation>Save hours</translation>
        </message>
        <message>
            <source>The clinic's own days</source>
            <translation>The clinic's own days</translation>
        </message>
        <message>
            <source>Note (e.g. summer break)</source>
            <translation>Note (e.g. summer break)</translation>
        </message>
        <message>
            <source>Add closed day</source>
            <translation>Add closed day</translation>
        </message>
        <message>
            <source>Open on this holiday</source>
            <translation>Open on this holiday</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Remove</translation>
        </message>
        <message>
            <source>Opening hours must end after they start, with lunch inside them.</source>
            <translation>Opening hours must end after they start, with lunch inside them.</translation>
        </message>
    </context>
    <context>
        <name>Staff</name>
        <message>
            <source>Front desk</source>
            <extracomment>The member of staff's id on every cell.</extracomment>
            <translation>Front desk</translation>
        </message>
        <message>
            <source>Coordinator</source>
            <translation>Coordinator</translation>
        </message>
        <message>
            <source>Manager</source>
            <translation>Manager</translation>
        </message>
        <message>
            <source>Administrator</source>
            <translation>Administrator</translation>
        </message>
        <message>
            <source>Nobody automatically</source>
            <translation>Nobody automatically</translation>
        </message>
        <message>
            <source>In turn (round robin)</source>
            <translation>In turn (round robin)</translation>
        </message>
        <message>
            <source>Fewest open conversations</source>
            <translation>Fewest open conversations</translation>
        </message>
    </context>
    <context>
        <name>StaffPanel</name>
        <message>
            <source>On duty</source>
            <translation>On duty</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>Role</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>Departments</translation>
        </message>
        <message>
            <source>Name of the new member of staff</source>
            <translation>Name of the new member of staff</translation>
        </message>
        <message>
            <source>Add</source>
            <translation>Add</translation>
        </message>
        <message>
            <source>Who gets a department's new conversations</source>
            <translation>Who gets a department's new conversations</translation>
        </message>
        <message>
            <source>Only staff on duty for the department are given conversations; when nobody is, they wait in its queue and are handed out when someone comes on duty.</source>
            <translation>Only staff on duty for the department are given conversations; when nobody is, they wait in its queue and are handed out when someone comes on duty.</translation>
        </message>
    </context>
    <context>
        <name>StaffTableModel</name>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>Role</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>Departments</translation>
        </message>
        <message>
            <source>On duty</source>
            <translation>On duty</translation>
        </message>
        <message>
            <source>Off duty</source>
            <translation>Off duty</translation>
        </message>
    </context>
    <context>
        <name>TargetsModel</name>
        <message>
            <source>Department</source>
            <translation>Department</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>Channel</translation>
        </message>
        <message>
            <source>First response</source>
            <translation>First response</translation>
        </message>
        <message>
            <source>Next response</source>
            <translation>Next response</translation>
        </message>
        <message>
            <source>All departments</source>
            <translation>All departments</translation>
        </message>
        <message>
            <source>All channels</source>
            <translation>All channels</translation>
        </message>
        <message>
            <source>{n} min</source>
            <translation>{n} min</translation>
        </message>
    </context>
    <context>
        <name>Texts</name>
        <message>
            <source>All open</source>
            <translation>All open</translation>
        </message>
        <message>
            <source>Mine</source>
            <translation>Mine</translation>
        </message>
        <message>
            <source>Unassigned</source>
            <translation>Unassigned</translation>
        </message>
        <message>
            <source>Untriaged</source>
            <translation>Untriaged</translation>
        </message>
        <message>
            <source>Snoozed</source>
            <translation>Snoozed</translation>
        </message>
        <message>
            <source>Resolved</source>
            <translation>Resolved</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>Departments</translation>
        </message>
        <message>
            <source>Channels</source>
            <translation>Channels</translation>
        </message>
        <message>
            <source>Facebook</source>
            <translation>Facebook</translation>
        </message>
        <message>
            <source>Instagram</source>
            <translation>Instagram</translation>
        </message>
        <message>
            <source>X</source>
            <translation>X</translation>
        </message>
        <message>
            <source>KakaoTalk</source>
            <translation>KakaoTalk</translation>
        </message>
        <message>
            <source>Naver TalkTalk</source>
            <translation>Naver TalkTalk</translation>
        </message>
        <message>
            <source>LINE</source>
            <translation>LINE</translation>
        </message>
        <message>
            <source>Telegram</source>
            <translation>Telegram</translation>
        </message>
        <message>
            <source>E-mail</source>
            <translation>E-mail</translation>
        </message>
        <message>
            <source>Text message</source>
            <translation>Text message</translation>
        </message>
        <message>
            <source>Web form</source>
            <translation>Web form</translation>
        </message>
        <message>
            <source>Demo</source>
            <translation>Demo</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>Open</translation>
        </message>
        <message>
            <source>Waiting on customer</source>
            <translation>Waiting on customer</translation>
        </message>
        <message>
            <source>Waiting to send, will retry ({reason})</source>
            <translation>Waiting to send, will retry ({reason})</translation>
        </message>
        <message>
            <source>Waiting to send</source>
            <translation>Waiting to send</translation>
        </message>
        <message>
            <source>Sending…</source>
            <translation>Sending…</translation>
        </message>
        <message>
            <source>Not sent: {reason}</source>
            <translation>Not sent: {reason}</translation>
        </message>
        <message>
            <source>Sending uncertain: check on the channel before sending again</source>
            <translation>Sending uncertain: check on the channel before sending again</translation>
        </message>
        <message>
            <source>Something unexpected went wrong ({name}). Please try again.</source>
            <translation>Something unexpected went wrong ({name}). Please try again.</translation>
        </message>
        <message>
            <source>The request could not be completed.</source>
            <translation>The request could not be completed.</translation>
        </message>
        <message>
            <source>That item no longer exists. It may have been deleted.</source>
            <translation>That item no longer exists. It may have been deleted.</translation>
        </message>
        <message>
            <source>This conversation could not be found. It may have been deleted or not yet synchronised to this PC.</source>
            <translation>This conversation could not be found. It may have been deleted or not yet synchronised to this PC.</translation>
        </message>
        <message>
            <source>That member of staff could not be found.</source>
            <translation>That member of staff could not be found.</translation>
        </message>
        <message>
            <source>That other version of the draft is gone: it was already restored or removed.</source>
            <translation>That other version of the draft is gone: it was already restored or removed.</translation>
        </message>
        <message>
            <source>That change was already put back or dismissed.</source>
            <translation>That change was already put back or dismissed.</translation>
        </message>
        <message>
            <source>The value entered is not valid.</source>
            <translation>The value entered is not valid.</translation>
        </message>
        <message>
            <source>There is no department called “{department}”.</source>
            <translation>There is no department called “{department}”.</translation>
        </message>
        <message>
            <source>Write a reply before sending.</source>
            <translation>Write a reply before sending.</translation>
        </message>
        <message>
            <source>The reply is too long: {length} characters. Shorten it to {max_chars} or fewer.</source>
            <translation>The reply is too long: {length} characters. Shorten it to {max_chars} or fewer.</translation>
        </message>
        <message>
            <source>Write something in the note first.</source>
            <translation>Write something in the note first.</translation>
        </message>
        <message>
            <source>A label must be 1 to {max_chars} characters on one line.</source>
            <translation>A label must be 1 to {max_chars} characters on one line.</translation>
        </message>
        <message>
            <source>That status cannot be set here.</source>
            <translation>That status cannot be set here.</translation>
        </message>
        <message>
            <source>Choose a snooze time in the future.</source>
            <translation>Choose a snooze time in the future.</translation>
        </message>
        <message>
            <source>Could not save on this PC. Check the free disk space and permissions. ({reason})</source>
            <translation>Could not save on this PC. Check the free disk space and permissions. ({reason})</translation>
        </message>
        <message>
            <source>The clinic server cannot be reached. Changes are kept on this PC and sent when it is back.</source>
            <translation>The clinic server cannot be reached. Changes are kept on this PC and sent when it is back.</translation>
        </message>
        <message>
            <source>Sotong does not know the channel “{kind}”.</source>
            <translation>Sotong does not know the channel “{kind}”.</translation>
        </message>
        <message>
            <source>This version of Sotong has no connector called “{connector}”.</source>
            <translation>This version of Sotong has no connector called “{connector}”.</translation>
        </message>
        <message>
            <source>This account is already connected (same connector and id on the channel).</source>
            <translation>This account is already connected (same connector and id on the channel).</translation>
        </message>
        <message>
            <source>That channel account no longer exists.</source>
            <translation>That channel account no longer exists.</translation>
        </message>
        <message>
            <source>Your role does not allow this. Ask a manager or the administrator.</source>
            <translation>Your role does not allow this. Ask a manager or the administrator.</translation>
        </message>
        <message>
            <source>The clinic needs at least one administrator: make someone else one first.</source>
            <translation>The clinic needs at least one administrator: make someone else one first.</translation>
        </message>
        <message>
            <source>The routing rule is not valid ({field}).</source>
            <translation>The routing rule is not valid ({field}).</translation>
        </message>
        <message>
            <source>The routing rule's regular expression is not valid.</source>
            <translation>The routing rule's regular expression is not valid.</translation>
        </message>
        <message>
            <source>The routing rule's regular expression is too long or too slow.</source>
            <translation>The routing rule's regular expression is too long or too slow.</translation>
        </message>
        <message>
            <source>A routing rule needs at least one condition.</source>
            <translation>A routing rule needs at least one condition.</translation>
        </message>
        <message>
            <source>That routing rule no longer exists.</source>
            <translation>That routing rule no longer exists.</translation>
        </message>
        <message>
            <source>That canned response no longer exists.</source>
            <translation>That canned response no longer exists.</translation>
        </message>
        <message>
            <source>The canned response is not valid ({field}).</source>
            <translation>The canned response is not valid ({field}).</translation>
        </message>
        <message>
            <source>Another computer now fetches and sends messages for the clinic; this one has stopped doing so.</source>
            <translation>Another computer now fetches and sends messages for the clinic; this one has stopped doing so.</translation>
        </message>
        <message>
            <source>That contact could not be found. It may not be synchronised to this PC yet.</source>
            <translation>That contact could not be found. It may not be synchronised to this PC yet.</translation>
        </message>
        <message>
            <source>That channel account is no longer part of this contact.</source>
            <translation>That channel account is no longer part of this contact.</translation>
        </message>
        <message>
            <source>These two are already the same contact.</source>
            <translation>These two are already the same contact.</translation>
        </message>
        <message>
            <source>This is the contact's only channel account, so it cannot be split off.</source>
            <translation>This is the contact's only channel account, so it cannot be split off.</translation>
        </message>
        <message>
            <source>A contact's name must be 1 to {max_chars} characters.</source>
            <translation>A contact's name must be 1 to {max_chars} characters.</translation>
        </message>
        <message>
            <source>The notes are too long: {length} characters. Shorten them to {max_chars} or fewer.</source>
            <translation>The notes are too long: {length} characters. Shorten them to {max_chars} or fewer.</translation>
        </message>
        <message>
            <source>login expired, reconnect the account</source>
            <translation>login expired, reconnect the account</translation>
        </message>
        <message>
            <source>too many requests, waiting</source>
            <translation>too many requests, waiting</translation>
        </message>
        <message>
            <source>connection problem</source>
            <translation>connection problem</translation>
        </message>
        <message>
            <source>refused by the channel</source>
            <translation>refused by the channel</translation>
        </message>
        <message>
            <source>channel error</source>
            <translation>channel error</translation>
        </message>
        <message>
            <source>interrupted while sending</source>
            <translation>interrupted while sending</translation>
        </message>
        <message>
            <source>too long for this channel</source>
            <translation>too long for this channel</translation>
        </message>
        <message>
            <source>empty message</source>
            <translation>empty message</translation>
        </message>
        <message>
            <source>the conversation no longer exists on the channel</source>
            <translation>the conversation no longer exists on the channel</translation>
        </message>
        <message>
            <source>the channel's reply window has closed</source>
            <translation>the channel's reply window has closed</translation>
        </message>
        <message>
            <source>no secure password store on this PC</source>
            <translation>no secure password store on this PC</translation>
        </message>
        <message>
            <source>not supported by this version</source>
            <translation>not supported by this version</translation>
        </message>
        <message>
            <source>connector settings incomplete</source>
            <translation>connector settings incomplete</translation>
        </message>
        <message>
            <source>no token on the leader: the channel is not checked</source>
            <translation>no token on the leader: the channel is not checked</translation>
        </message>
        <message>
            <source>no token on the leader ({leader}): the channel is not checked</source>
            <translation>no token on the leader ({leader}): the channel is not checked</translation>
        </message>
        <message>
            <source>The computer that checks the channels and sends replies (the leader) has no token for this account, so nothing is received or sent on it. If the agent leads, store the token on its machine: sotong agent secret set ACCOUNT. If a PC leads, enter it there in Settings → Channels (Enter token…).</source>
            <translation>The computer that checks the channels and sends replies (the leader) has no token for this account, so nothing is received or sent on it. If the agent leads, store the token on its machine: sotong agent secret set ACCOUNT. If a PC leads, enter it there in Settings → Channels (Enter token…).</translation>
        </message>
        <message>
            <source>No token on this PC</source>
            <translation>No token on this PC</translation>
        </message>
        <message>
            <source>This PC has no token for this account — enter it in Settings → Channels (select it and press Enter token…). It is needed when this PC checks the channels (when it leads); with the agent leading, store it on the agent's machine instead.</source>
            <translation>This PC has no token for this account — enter it in Settings → Channels (select it and press Enter token…). It is needed when this PC checks the channels (when it leads); with the agent leading, store it on the agent's machine instead.</translation>
        </message>
        <message>
            <source>This PC has no secure password store, so the token cannot be saved. (Linux: install gnome-keyring or KWallet)</source>
            <translation>This PC has no secure password store, so the token cannot be saved. (Linux: install gnome-keyring or KWallet)</translation>
        </message>
        <message>
            <source>Connected.</source>
            <translation>Connected.</translation>
        </message>
        <message>
            <source>The login has expired or the token was refused. Reconnect the account with a new token.</source>
            <translation>The login has expired or the token was refused. Reconnect the account with a new token.</translation>
        </message>
        <message>
            <source>The channel asks Sotong to slow down. Try again in a few minutes.</source>
            <translation>The channel asks Sotong to slow down. Try again in a few minutes.</translation>
        </message>
        <message>
            <source>The channel could not be reached. Check the internet connection and try again.</source>
            <translation>The channel could not be reached. Check the internet connection and try again.</translation>
        </message>
        <message>
            <source>The channel refused the request. Check the account's id and settings.</source>
            <translation>The channel refused the request. Check the account's id and settings.</translation>
        </message>
        <message>
            <source>The token of this account is missing from this PC's password store. Reconnect the account.</source>
            <translation>The token of this account is missing from this PC's password store. Reconnect the account.</translation>
        </message>
        <message>
            <source>This version of Sotong cannot connect this kind of account.</source>
            <translation>This version of Sotong cannot connect this kind of account.</translation>
        </message>
        <message>
            <source>The account's connector settings are incomplete or wrong.</source>
            <translation>The account's connector settings are incomplete or wrong.</translation>
        </message>
        <message>
            <source>The connection test failed ({reason}).</source>
            <translation>The connection test failed ({reason}).</translation>
        </message>
        <message>
            <source>The clinic server refused the login: the user name or password is wrong.</source>
            <translation>The clinic server refused the login: the user name or password is wrong.</translation>
        </message>
        <message>
            <source>The clinic server could not be reached. Check the server address and port, that the server is on, and this PC's network.</source>
            <translation>The clinic server could not be reached. Check the server address and port, that the server is on, and this PC's network.</translation>
        </message>
        <message>
            <source>The clinic server has no database by that name. Check the database name with the clinic's IT.</source>
            <translation>The clinic server has no database by that name. Check the database name with the clinic's IT.</translation>
        </message>
        <message>
            <source>The secure connection (TLS) failed: the server does not offer it, or its certificate could not be checked against the CA file. Check the TLS setting and the CA file.</source>
            <translation>The secure connection (TLS) failed: the server does not offer it, or its certificate could not be checked against the CA file. Check the TLS setting and the CA file.</translation>
        </message>
        <message>
            <source>The clinic server does not admit connections from this PC (pg_hba.conf). Ask the clinic's IT to allow it.</source>
            <translation>The clinic server does not admit connections from this PC (pg_hba.conf). Ask the clinic's IT to allow it.</translation>
        </message>
        <message>
            <source>No password for the clinic server is saved on this PC. Enter it and save.</source>
            <translation>No password for the clinic server is saved on this PC. Enter it and save.</translation>
        </message>
        <message>
            <source>This PC has no secure password store, so the clinic server's password cannot be kept. (Linux: install gnome-keyring or KWallet)</source>
            <translation>This PC has no secure password store, so the clinic server's password cannot be kept. (Linux: install gnome-keyring or KWallet)</translation>
        </message>
        <message>
            <source>The clinic server could not be reached (unexpected error).</source>
            <translation>The clinic server could not be reached (unexpected error).</translation>
        </message>
        <message>
            <source>the server address</source>
            <translation>the server address</translation>
        </message>
        <message>
            <source>the database name</source>
            <translation>the database name</translation>
        </message>
        <message>
            <source>the user name</source>
            <translation>the user name</translation>
        </message>
        <message>
            <source>the TLS mode</source>
            <translation>the TLS mode</translation>
        </message>
        <message>
            <source>the CA file</source>
            <translation>the CA file</translation>
        </message>
        <message>
            <source>Fill in {field} of the clinic server.</source>
            <translation>Fill in {field} of the clinic server.</translation>
        </message>
        <message>
            <source>Connected to the clinic server (PostgreSQL {version}).</source>
            <translation>Connected to the clinic server (PostgreSQL {version}).</translation>
        </message>
        <message>
            <source>Active</source>
            <translation>Active</translation>
        </message>
        <message>
            <source>Paused</source>
            <translation>Paused</translation>
        </message>
        <message>
            <source>Removed</source>
            <translation>Removed</translation>
        </message>
        <message>
            <source>The connection of {names} has expired. Reconnect it in Settings → Channels.</source>
            <translation>The connection of {names} has expired. Reconnect it in Settings → Channels.</translation>
        </message>
        <message>
            <source>Reply window closes in {left}</source>
            <translation>Reply window closes in {left}</translation>
        </message>
        <message>
            <source>Outside the 24-hour window: will be sent with the human-agent tag ({left} left)</source>
            <translation>Outside the 24-hour window: will be sent with the human-agent tag ({left} left)</translation>
        </message>
        <message>
            <source>Cannot reply on this channel now: its reply window has closed</source>
            <translation>Cannot reply on this channel now: its reply window has closed</translation>
        </message>
        <message>
            <source>just now</source>
            <translation>just now</translation>
        </message>
        <message>
            <source>{n} min</source>
            <translation>{n} min</translation>
        </message>
        <message>
            <source>no token on this PC — enter it in Settings → Channels</source>
            <translation>no token on this PC — enter it in Settings → Channels</translation>
        </message>
        <message>
            <source>{n} h</source>
            <translation>{n} h</translation>
        </message>
        <message>
            <source>{n} d</source>
            <translation>{n} d</translation>
        </message>
        <message>
            <source>{n} past the response target</source>
            <translation>{n} past the response target</translation>
        </message>
        <message>
            <source>{month}/{day} {time}</source>
            <translation>{month}/{day} {time}</translation>
        </message>
        <message>
            <source>{month}/{day}</source>
            <translation>{month}/{day}</translation>
        </message>
        <message>
            <source>That saved search no longer exists. It may have been deleted.</source>
            <translation>That saved search no longer exists. It may have been deleted.</translation>
        </message>
    </context>
    <context>
        <name>ThreadModel</name>
        <message>
            <source>Handed to %1 · private note</source>
            <extracomment>"message", "note" or "outbox". "in" or "out". Who wrote it (operator name for notes and replies, channel author otherwise). When, in ms since the epoch (int). Outbox state (queued, sending, failed, unknown) or message delivery status, else "". Outbox error code, else "". The item id (str). The line under a bubble: time, author, outbox state (translated). The body exactly as stored (same as DisplayRole): always plain text. The label over a note: "Private note", or whom it was handed to (translated); else "".</extracomment>
            <translation>Handed to %1 · private note</translation>
        </message>
        <message>
            <source>Private note</source>
            <translation>Private note</translation>
        </message>
    </context>
    <context>
        <name>ThreadPane</name>
        <message>
            <source>Choose a conversation from the list.</source>
            <translation>Choose a conversation from the list.</translation>
        </message>
        <message>
            <source>Department</source>
            <translation>Department</translation>
        </message>
        <message>
            <source>Assignee</source>
            <translation>Assignee</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Hand off…</source>
            <translation>Hand off…</translation>
        </message>
        <message>
            <source>Give this conversation to a colleague with a note for them (H)</source>
            <translation>Give this conversation to a colleague with a note for them (H)</translation>
        </message>
        <message>
            <source>Snooze</source>
            <translation>Snooze</translation>
        </message>
        <message>
            <source>Hide until a later time; it comes back as open</source>
            <translation>Hide until a later time; it comes back as open</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>Write a private note for colleagues; customers never see it (Ctrl+Shift+Enter)</source>
            <translation>Write a private note for colleagues; customers never see it (Ctrl+Shift+Enter)</translation>
        </message>
        <message>
            <source>Resolve or reopen (E)</source>
            <translation>Resolve or reopen (E)</translation>
        </message>
        <message>
            <source>Canned</source>
            <translation>Canned</translation>
        </message>
        <message>
            <source>Insert a canned response (Ctrl+Shift+C)</source>
            <translation>Insert a canned response (Ctrl+Shift+C)</translation>
        </message>
        <message>
            <source>For 1 hour</source>
            <translation>For 1 hour</translation>
        </message>
        <message>
            <source>For 3 hours</source>
            <translation>For 3 hours</translation>
        </message>
        <message>
            <source>Tomorrow 9:00</source>
            <translation>Tomorrow 9:00</translation>
        </message>
        <message>
            <source>Next Monday 9:00</source>
            <translation>Next Monday 9:00</translation>
        </message>
        <message>
            <source>Private note for colleagues. The customer will not see it.</source>
            <translation>Private note for colleagues. The customer will not see it.</translation>
        </message>
        <message>
            <source>Add note</source>
            <translation>Add note</translation>
        </message>
        <message>
            <source>Add the private note (Ctrl+Enter)</source>
            <translation>Add the private note (Ctrl+Enter)</translation>
        </message>
        <message>
            <source>Write a reply… Ctrl+Enter queues it to send</source>
            <translation>Write a reply… Ctrl+Enter queues it to send</translation>
        </message>
        <message>
            <source>Send</source>
            <translation>Send</translation>
        </message>
        <message>
            <source>Queue the reply; it is sent as soon as the channel is reachable (Ctrl+Enter)</source>
            <translation>Queue the reply; it is sent as soon as the channel is reachable (Ctrl+Enter)</translation>
        </message>
        <message>
            <source>Sorted automatically (%1 sure)</source>
            <translation>Sorted automatically (%1 sure)</translation>
        </message>
        <message>
            <source>Sorted by a routing rule</source>
            <translation>Sorted by a routing rule</translation>
        </message>
        <message>
            <source>Undo</source>
            <translation>Undo</translation>
        </message>
        <message>
            <source>Suggested: %1 (%2 sure)</source>
            <translation>Suggested: %1 (%2 sure)</translation>
        </message>
        <message>
            <source>Apply</source>
            <translation>Apply</translation>
        </message>
        <message>
            <source>Reopen</source>
            <translation>Reopen</translation>
        </message>
        <message>
            <source>Resolve</source>
            <translation>Resolve</translation>
        </message>
        <message>
            <source>%1 is writing a reply</source>
            <translation>%1 is writing a reply</translation>
        </message>
        <message>
            <source>%1 is looking at this conversation</source>
            <translation>%1 is looking at this conversation</translation>
        </message>
        <message>
            <source>A colleague</source>
            <translation>A colleague</translation>
        </message>
        <message>
            <source>Typing…</source>
            <translation>Typing…</translation>
        </message>
        <message>
            <source>Draft saved on this PC</source>
            <translation>Draft saved on this PC</translation>
        </message>
        <message>
            <source>Draft not saved</source>
            <translation>Draft not saved</translation>
        </message>
    </context>
    <context>
        <name>ThreadView</name>
        <message>
            <source>Copy text</source>
            <extracomment>How bodies are drawn: always plain text.</extracomment>
            <translation>Copy text</translation>
        </message>
    </context>
</TS>
